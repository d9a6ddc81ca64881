;; One link of a host <-> guest chain: `f(n)` calls the host's `g(n)` and adds one.  A host `g`
;; that calls `f` of another instance of this component makes the chain as deep as it likes.
(component
  (import "g" (func $g (param "n" u32) (result u32)))
  (core func $g_low (canon lower (func $g)))
  (core module $m
    (import "host" "g" (func $g (param i32) (result i32)))
    (func (export "f") (param i32) (result i32)
      (i32.add (call $g (local.get 0)) (i32.const 1))))
  (core instance $i (instantiate $m (with "host" (instance (export "g" (func $g_low))))))
  (func (export "f") (param "n" u32) (result u32) (canon lift (core func $i "f"))))
