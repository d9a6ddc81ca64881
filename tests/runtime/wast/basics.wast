;; witkit's own component script: each directive kind `witkit wast` supports.
(component $adder
  (core module $M
    (memory (export "mem") 1)
    (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    (func (export "hello") (result i32)
      (i32.store (i32.const 0) (i32.const 8)) (i32.store (i32.const 4) (i32.const 2))
      (i32.store16 (i32.const 8) (i32.const 0x6968)) (i32.const 0))
    (func (export "boom") unreachable))
  (core instance $m (instantiate $M))
  (func (export "add") (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $m "add")))
  (func (export "hello") (result string) (canon lift (core func $m "hello") (memory (core memory $m "mem"))))
  (func (export "boom") (canon lift (core func $m "boom")))
)
(assert_return (invoke "add" (u32.const 1) (u32.const 2)) (u32.const 3))
(assert_return (invoke "hello") (str.const "hi"))
(register "adder" $adder)

(component
  (import "adder" (instance $a (export "add" (func (param "a" u32) (param "b" u32) (result u32)))))
  (core func $add (canon lower (func $a "add")))
  (core module $M (import "" "add" (func $add (param i32 i32) (result i32)))
    (func (export "triple") (param i32) (result i32)
      (call $add (local.get 0) (call $add (local.get 0) (local.get 0)))))
  (core instance $m (instantiate $M (with "" (instance (export "add" (func $add))))))
  (func (export "triple") (param "x" u32) (result u32) (canon lift (core func $m "triple")))
)
(assert_return (invoke "triple" (u32.const 5)) (u32.const 15))

(component definition $D
  (core module $M (global $g (mut i32) (i32.const 0))
    (func (export "next") (result i32)
      (global.set $g (i32.add (global.get $g) (i32.const 1))) (global.get $g)))
  (core instance $m (instantiate $M))
  (func (export "next") (result u32) (canon lift (core func $m "next"))))
(component instance $d1 $D)
(assert_return (invoke "next") (u32.const 1))
(assert_return (invoke "next") (u32.const 2))
(component instance $d2 $D)
(assert_return (invoke "next") (u32.const 1))

(component
  (core module $M (func (export "boom") unreachable))
  (core instance $m (instantiate $M))
  (func (export "boom") (canon lift (core func $m "boom"))))
(assert_trap (invoke "boom") "unreachable")

(assert_invalid
  (component (core module $M (func (export "f") (result i32) (i32.const 0)))
    (core instance $m (instantiate $M))
    (func (export "f") (result string) (canon lift (core func $m "f"))))
  "canonical option `memory` is required")
(assert_malformed (component binary "\00asm" "\0d\00\01\00" "\ff") "malformed")
(assert_unlinkable
  (component (import "missing" (core module (import "x" "y" (func)))))
  "not supported")
