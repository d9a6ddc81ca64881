;; 🪙 A start function: it takes an imported value and its result is exported as a value
;; (the Explainer's "Start Definitions" example, with a bump allocator).
(component
  (import "name" (value $name string))
  (core module $Libc (memory (export "mem") 1)
    (global $n (mut i32) (i32.const 64))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32) (local.set $p (global.get $n))
      (global.set $n (i32.add (global.get $n) (local.get 3))) (local.get $p)))
  (core instance $libc (instantiate $Libc))
  (core module $Main
    (import "libc" "mem" (memory 1))
    (import "libc" "realloc" (func $realloc (param i32 i32 i32 i32) (result i32)))
    (data (i32.const 8) "hello ")
    (func (export "start") (param $p i32) (param $n i32) (result i32)
      (local $out i32)
      (local.set $out (call $realloc (i32.const 0) (i32.const 0) (i32.const 1) (i32.add (local.get $n) (i32.const 6))))
      (memory.copy (local.get $out) (i32.const 8) (i32.const 6))
      (memory.copy (i32.add (local.get $out) (i32.const 6)) (local.get $p) (local.get $n))
      (i32.store (i32.const 0) (local.get $out))
      (i32.store (i32.const 4) (i32.add (local.get $n) (i32.const 6)))
      (i32.const 0)))
  (core instance $main (instantiate $Main (with "libc" (instance $libc))))
  (func $start (param "n" string) (result string) (canon lift
    (core func $main "start") (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))))
  (start $start (value $name) (result (value $greeting)))
  (export "greeting" (value $greeting))
)
