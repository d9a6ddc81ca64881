;; an import from another module than WASI 0.1: refused before running, status 1
(module
  (import "env" "log" (func (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")))
