;; calc.wat: a small library component for the Python API tour in the README.
;;
;; It imports a root function `log` and an interface `docs:adder/add@0.1.0`, and
;; exports `add-and-log`, which asks the host to add two numbers and logs the sum.
;;   witkit wit examples/calc.wat
(component
  (import "log" (func $log (param "value" u32)))
  (import "docs:adder/add@0.1.0" (instance $adder
    (export "add" (func (param "a" u32) (param "b" u32) (result u32)))
  ))
  (alias export $adder "add" (func $add))
  (core func $log-lowered (canon lower (func $log)))
  (core func $add-lowered (canon lower (func $add)))
  (core module $Main
    (import "host" "log" (func $log (param i32)))
    (import "host" "add" (func $add (param i32 i32) (result i32)))
    (func (export "add-and-log") (param i32 i32) (result i32)
      (local $sum i32)
      (local.set $sum (call $add (local.get 0) (local.get 1)))
      (call $log (local.get $sum))
      (local.get $sum)
    )
  )
  (core instance $host (export "log" (func $log-lowered)) (export "add" (func $add-lowered)))
  (core instance $main (instantiate $Main (with "host" (instance $host))))
  (func (export "add-and-log") (param "a" u32) (param "b" u32) (result u32)
    (canon lift (core func $main "add-and-log")))
)
