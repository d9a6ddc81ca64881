;; fd_close imported with the wrong type: refused before running, status 1
(module
  (import "wasi_snapshot_preview1" "fd_close" (func (param i64) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")))
