;; The component behind benchmarks/bench_calls.py: one function per measured shape.
;;
;; A bump allocator serves `realloc`; every function's `post-return` resets it, so
;; repeated calls reuse the same memory.  The echo functions hand back exactly what
;; they were given (the lowered bytes stay where realloc put them), so a call
;; measures lowering + lifting, not guest work.
(component
  (type $point' (record (field "x" s32) (field "y" s32) (field "name" string)))
  (export $point "point" (type $point'))
  (import "host-add" (func $host-add (param "a" u32) (param "b" u32) (result u32)))

  (core module $Mem
    (memory (export "mem") 1)
    (global $base i32 (i32.const 1024))
    (global $next (export "next") (mut i32) (i32.const 1024))
    (func (export "realloc") (param $old i32) (param $old-size i32) (param $align i32) (param $size i32) (result i32)
      (local $ptr i32) (local $end i32) (local $have i32)
      (local.set $ptr
        (i32.and (i32.add (global.get $next) (i32.sub (local.get $align) (i32.const 1)))
                 (i32.sub (i32.const 0) (local.get $align))))
      (local.set $end (i32.add (local.get $ptr) (local.get $size)))
      (local.set $have (i32.shl (memory.size) (i32.const 16)))
      (if (i32.gt_u (local.get $end) (local.get $have))
        (then
          (if (i32.lt_s
                (memory.grow (i32.shr_u (i32.add (i32.sub (local.get $end) (local.get $have)) (i32.const 65535)) (i32.const 16)))
                (i32.const 0))
            (then unreachable))))
      (if (local.get $old-size)
        (then (memory.copy (local.get $ptr) (local.get $old) (local.get $old-size))))
      (global.set $next (local.get $end))
      (local.get $ptr))
    (func (export "reset") (param i32) (global.set $next (global.get $base)))
    (func (export "reset0") (global.set $next (global.get $base)))
  )
  (core instance $mem (instantiate $Mem))

  (core func $host-add' (canon lower (func $host-add)))

  (core module $Main
    (import "mem" "mem" (memory 1))
    (import "mem" "realloc" (func $realloc (param i32 i32 i32 i32) (result i32)))
    (import "host" "add" (func $host-add (param i32 i32) (result i32)))
    (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    ;; echo(s: string) -> string: the string goes back through a return area
    (func (export "echo") (param $ptr i32) (param $len i32) (result i32)
      (local $ret i32)
      (local.set $ret (call $realloc (i32.const 0) (i32.const 0) (i32.const 4) (i32.const 8)))
      (i32.store (local.get $ret) (local.get $ptr))
      (i32.store offset=4 (local.get $ret) (local.get $len))
      (local.get $ret))
    ;; sum(xs: list<u32>) -> u32
    (func (export "sum") (param $ptr i32) (param $len i32) (result i32)
      (local $acc i32) (local $end i32)
      (local.set $end (i32.add (local.get $ptr) (i32.shl (local.get $len) (i32.const 2))))
      (block $done
        (loop $next
          (br_if $done (i32.ge_u (local.get $ptr) (local.get $end)))
          (local.set $acc (i32.add (local.get $acc) (i32.load (local.get $ptr))))
          (local.set $ptr (i32.add (local.get $ptr) (i32.const 4)))
          (br $next)))
      (local.get $acc))
    ;; call-host(n: u32) -> u32: calls the host's add n times
    (func (export "call-host") (param $n i32) (result i32)
      (local $acc i32)
      (block $done
        (loop $next
          (br_if $done (i32.eqz (local.get $n)))
          (local.set $acc (call $host-add (local.get $acc) (i32.const 1)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $next)))
      (local.get $acc))
  )
  (core instance $main (instantiate $Main
    (with "mem" (instance $mem))
    (with "host" (instance (export "add" (func $host-add'))))))

  (func (export "add") (param "a" u32) (param "b" u32) (result u32)
    (canon lift (core func $main "add")))
  (func (export "echo") (param "s" string) (result string)
    (canon lift (core func $main "echo")
      (memory (core memory $mem "mem")) (realloc (core func $mem "realloc"))
      (post-return (core func $mem "reset"))))
  (func (export "sum") (param "xs" (list u32)) (result u32)
    (canon lift (core func $main "sum")
      (memory (core memory $mem "mem")) (realloc (core func $mem "realloc"))
      (post-return (core func $mem "reset"))))
  ;; echo-points(ps: list<point>) -> list<point>: the same pointer and length back
  (func (export "echo-points") (param "ps" (list $point)) (result (list $point))
    (canon lift (core func $main "echo")
      (memory (core memory $mem "mem")) (realloc (core func $mem "realloc"))
      (post-return (core func $mem "reset"))))
  (func (export "call-host") (param "n" u32) (result u32)
    (canon lift (core func $main "call-host")))
)
