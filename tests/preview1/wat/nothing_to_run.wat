;; neither _start nor _initialize: witkit says so (wasmtime silently runs nothing)
(module
  (memory (export "memory") 1)
  (func (export "main")))
