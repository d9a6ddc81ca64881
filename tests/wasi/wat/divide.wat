;; A WASI command whose run divides by zero three calls deep (a trap with a backtrace).
(component
  (core module $m
    (func $divide (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
    (func $middle (param i32) (result i32) (call $divide (local.get 0)))
    (func (export "run") (result i32) (call $middle (i32.const 0))))
  (core instance $i (instantiate $m))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $iface (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $iface)))
