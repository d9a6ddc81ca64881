;; hello.wat: a complete WASI 0.2 command component, written by hand.
;;
;; It imports only what it uses (stdout and the output-stream resource), writes
;; "Hello, world!" and returns `ok` from `wasi:cli/run`.  Try:
;;   witkit wit examples/hello.wat        the world it speaks
;;   witkit inspect examples/hello.wat    what it is made of
(component
  ;; wasi:io/error: the error resource that stream errors carry
  (import "wasi:io/error@0.2.0" (instance $error
    (export "error" (type (sub resource)))
  ))
  (alias export $error "error" (type $error-res))

  ;; wasi:io/streams: just the output stream and one method
  (import "wasi:io/streams@0.2.0" (instance $streams
    (alias outer 1 $error-res (type $err-outer))
    (export "error" (type $err (eq $err-outer)))
    (export "output-stream" (type $os (sub resource)))
    (type $own-err (own $err))
    (type $stream-error (variant (case "last-operation-failed" $own-err) (case "closed")))
    (export "stream-error" (type $se (eq $stream-error)))
    (type $borrow-os (borrow $os))
    (type $bytes (list u8))
    (type $write-result (result (error $se)))
    (type $write-fn (func (param "self" $borrow-os) (param "contents" $bytes) (result $write-result)))
    (export "[method]output-stream.blocking-write-and-flush" (func (type $write-fn)))
  ))
  (alias export $streams "output-stream" (type $output-stream))

  ;; wasi:cli/stdout
  (import "wasi:cli/stdout@0.2.0" (instance $stdout
    (alias outer 1 $output-stream (type $os-outer))
    (export "output-stream" (type $os (eq $os-outer)))
    (type $own-os (own $os))
    (type $get-fn (func (result $own-os)))
    (export "get-stdout" (func (type $get-fn)))
  ))

  ;; linear memory lives in its own module so the lowered imports can name it
  (core module $Memory (memory (export "memory") 1))
  (core instance $memory (instantiate $Memory))
  (alias core export $memory "memory" (core memory $mem))

  (alias export $streams "[method]output-stream.blocking-write-and-flush" (func $write))
  (alias export $stdout "get-stdout" (func $get-stdout))
  (core func $write-lowered (canon lower (func $write) (memory $mem)))
  (core func $get-stdout-lowered (canon lower (func $get-stdout)))
  (core func $drop-stream (canon resource.drop $output-stream))

  (core module $Main
    (import "host" "memory" (memory 1))
    (import "host" "write" (func $write (param i32 i32 i32 i32)))
    (import "host" "get-stdout" (func $get-stdout (result i32)))
    (import "host" "drop-stream" (func $drop-stream (param i32)))
    (data (i32.const 64) "Hello, world!\n")
    (func (export "run") (result i32)
      (local $stream i32)
      (local.set $stream (call $get-stdout))
      ;; write 14 bytes at 64; the result<_, stream-error> lands at address 0
      (call $write (local.get $stream) (i32.const 64) (i32.const 14) (i32.const 0))
      (call $drop-stream (local.get $stream))
      ;; run's result: 0 = ok, 1 = err; mirror the write's outcome
      (i32.load8_u (i32.const 0))
    )
  )
  (core instance $host
    (export "memory" (memory $mem))
    (export "write" (func $write-lowered))
    (export "get-stdout" (func $get-stdout-lowered))
    (export "drop-stream" (func $drop-stream))
  )
  (core instance $main (instantiate $Main (with "host" (instance $host))))

  (type $run-result (result))
  (type $run-fn (func (result $run-result)))
  (func $run (type $run-fn) (canon lift (core func $main "run")))
  (instance $run-instance (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run-instance))
)
