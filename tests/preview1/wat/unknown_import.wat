;; an import wasi_snapshot_preview1 does not have: refused before running, status 1
(module
  (import "wasi_snapshot_preview1" "fd_frobnicate" (func (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")))
