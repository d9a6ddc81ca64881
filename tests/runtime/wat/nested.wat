;; Nested components talking to each other, with different string encodings.
;;
;; $Upper (UTF-16) upper-cases ASCII letters; $Greeter (UTF-8) builds
;; "hello, NAME" and asks $Upper to shout it, logging through the host.  Both
;; instantiate the parent's $Libc module through an outer alias; the parent
;; re-exports functions of both and an inline-exports instance of them.
(component
  (import "test:log/log@0.1.0" (instance $log (export "log" (func (param "msg" string)))))

  (core module $Libc
    (memory (export "mem") 1)
    (global $next (mut i32) (i32.const 1024))
    (func (export "realloc") (param $old i32) (param $os i32) (param $al i32) (param $ns i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $next) (i32.sub (local.get $al) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get $al))))
      (global.set $next (i32.add (local.get $p) (local.get $ns)))
      (if (local.get $os) (then (memory.copy (local.get $p) (local.get $old) (local.get $os))))
      (local.get $p)))

  (component $Upper
    (alias outer 1 $Libc (core module $Libc))
    (core instance $libc (instantiate $Libc))
    (core module $M
      (import "libc" "mem" (memory 1))
      (import "libc" "realloc" (func $realloc (param i32 i32 i32 i32) (result i32)))
      (global $calls (mut i32) (i32.const 0))
      ;; upper(ptr, units) -> retptr: a new UTF-16 string, ASCII a-z upper-cased
      (func (export "upper") (param $src i32) (param $n i32) (result i32)
        (local $dst i32) (local $i i32) (local $c i32) (local $ret i32)
        (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
        (local.set $dst (call $realloc (i32.const 0) (i32.const 0) (i32.const 2) (i32.shl (local.get $n) (i32.const 1))))
        (block $done (loop $next
          (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
          (local.set $c (i32.load16_u (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 1)))))
          (if (i32.and (i32.ge_u (local.get $c) (i32.const 97)) (i32.le_u (local.get $c) (i32.const 122)))
            (then (local.set $c (i32.sub (local.get $c) (i32.const 32)))))
          (i32.store16 (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 1))) (local.get $c))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next)))
        (local.set $ret (call $realloc (i32.const 0) (i32.const 0) (i32.const 4) (i32.const 8)))
        (i32.store (local.get $ret) (local.get $dst))
        (i32.store offset=4 (local.get $ret) (local.get $n))
        (local.get $ret))
      (func (export "calls") (result i32) (global.get $calls)))
    (core instance $m (instantiate $M (with "libc" (instance $libc))))
    (func (export "upper") (param "s" string) (result string)
      (canon lift (core func $m "upper") (memory (core memory $libc "mem"))
        (realloc (core func $libc "realloc")) string-encoding=utf16))
    (func (export "calls") (result u32) (canon lift (core func $m "calls")))
  )

  (component $Greeter
    (import "upper" (func $upper (param "s" string) (result string)))
    (import "log" (instance $log (export "log" (func (param "msg" string)))))
    (alias outer 1 $Libc (core module $Libc))
    (core instance $libc (instantiate $Libc))
    (core func $upper' (canon lower (func $upper) (memory (core memory $libc "mem"))
      (realloc (core func $libc "realloc"))))
    (core func $log' (canon lower (func $log "log") (memory (core memory $libc "mem"))))
    (core module $M
      (import "libc" "mem" (memory 1))
      (import "libc" "realloc" (func $realloc (param i32 i32 i32 i32) (result i32)))
      (import "" "upper" (func $upper (param i32 i32 i32)))
      (import "" "log" (func $log (param i32 i32)))
      (data (i32.const 16) "hello, ")
      ;; greet(name) -> retptr: upper("hello, " + name), also logged
      (func (export "greet") (param $name i32) (param $n i32) (result i32)
        (local $buf i32)
        (local.set $buf (call $realloc (i32.const 0) (i32.const 0) (i32.const 1) (i32.add (local.get $n) (i32.const 7))))
        (memory.copy (local.get $buf) (i32.const 16) (i32.const 7))
        (memory.copy (i32.add (local.get $buf) (i32.const 7)) (local.get $name) (local.get $n))
        (call $upper (local.get $buf) (i32.add (local.get $n) (i32.const 7)) (i32.const 32))
        (call $log (i32.load (i32.const 32)) (i32.load (i32.const 36)))
        (i32.const 32)))
    (core instance $m (instantiate $M
      (with "libc" (instance $libc))
      (with "" (instance (export "upper" (func $upper')) (export "log" (func $log'))))))
    (func (export "greet") (param "name" string) (result string)
      (canon lift (core func $m "greet") (memory (core memory $libc "mem"))
        (realloc (core func $libc "realloc"))))
  )

  (instance $u (instantiate $Upper))
  (alias export $u "upper" (func $upper))
  (instance $g (instantiate $Greeter (with "upper" (func $upper)) (with "log" (instance $log))))
  (export "greet" (func $g "greet"))
  (export "upper" (func $upper))
  (instance $both (export "greet" (func $g "greet")) (export "calls" (func $u "calls")))
  (export "test:nested/api@1.2.3" (instance $both))
)
