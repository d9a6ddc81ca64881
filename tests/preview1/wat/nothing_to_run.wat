;; neither _start nor _initialize: witkit says so (wasmtime silently runs nothing)
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
  (memory (export "memory") 1)
  (func (export "main")))
