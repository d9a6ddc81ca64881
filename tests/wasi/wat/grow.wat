;; A WASI command that grows its memory by 1 page 63 times (to 4 MiB); a refused grow traps.
;; Ok without limits; under -W max-memory-size=1048576 the 17th grow fails, then `unreachable`.
(component
  (core module $m
    (memory 1)
    (func (export "run") (result i32)
      (local $n i32)
      (loop $again
        (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then unreachable))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br_if $again (i32.lt_u (local.get $n) (i32.const 63))))
      (i32.const 0)))
  (core instance $i (instantiate $m))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $iface (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $iface)))
