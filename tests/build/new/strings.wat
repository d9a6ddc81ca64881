(module
  (memory (export "memory") 1)
  (global $next (mut i32) (i32.const 1024))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32)
    global.get $next local.set $p
    global.get $next local.get 3 i32.add global.set $next
    local.get $p)
  (func (export "greet") (param i32 i32) (result i32)
    i32.const 16 local.get 0 i32.store
    i32.const 20 local.get 1 i32.store
    i32.const 16)
  (func (export "cabi_post_greet") (param i32))
  (func (export "sum") (param i32 i32) (result i32)
    i32.const 32 i32.const 0 i32.store8
    i32.const 32)
  (func (export "pair") (result i32)
    i32.const 48 i64.const 1 i64.store
    i32.const 56 i64.const 2 i64.store
    i32.const 48)
)
