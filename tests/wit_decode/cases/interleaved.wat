(component
  (import "a" (func $a (param "x" (list u32))))
  (type $rec (record (field "n" u8)))
  (instance $i (export "rec" (type $rec)))
  (export "first" (instance $i))
  (import "b" (func $b (param "x" (list u8)) (result (option u8))))
  (export "b2" (func $b))
)
