;; proc_exit with a status WASI does not allow (126 and up): an error, status 1
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (call $exit (i32.const 126))))
