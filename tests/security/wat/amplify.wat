;; A guest that makes the host copy far more than it holds: `amp(n, len)` returns n lists (or
;; strings) that all name the same `len` (at most 1 MiB) bytes at 1 MiB.  Two MiB of guest
;; memory, n MiB of host objects if nothing stops the copy (n < 131000).
(component
  (core module $m
    (memory (export "mem") 33)
    ;; 0..7: the return area; 8..1 MiB: the entries; 1 MiB..2 MiB: the bytes they all name
    (func (export "amp") (param $n i32) (param $len i32) (result i32)
      (local $i i32)
      (if (i32.gt_u (local.get $n) (i32.const 131000)) (then unreachable))
      (block $done
        (loop $next
          (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
          (i32.store (i32.add (i32.const 8) (i32.shl (local.get $i) (i32.const 3))) (i32.const 1048576))
          (i32.store (i32.add (i32.const 12) (i32.shl (local.get $i) (i32.const 3))) (local.get $len))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next)))
      (i32.store (i32.const 0) (i32.const 8))
      (i32.store (i32.const 4) (local.get $n))
      (i32.const 0))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0)))
  (core instance $i (instantiate $m))
  (type $bytes (list u8))
  (func (export "amp") (param "n" u32) (param "len" u32) (result (list $bytes))
    (canon lift (core func $i "amp") (memory (core memory $i "mem")) (realloc (core func $i "realloc"))))
  (func (export "amp-strings") (param "n" u32) (param "len" u32) (result (list string))
    (canon lift (core func $i "amp") (memory (core memory $i "mem")) (realloc (core func $i "realloc")))))
