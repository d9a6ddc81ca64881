;; imports only from "env", not WASI 0.1: wasmtime fails to link it (1), witkit lists what it imports (2)
(module
  (import "env" "log" (func (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")))
