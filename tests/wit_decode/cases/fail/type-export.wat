(component
  (type $t (record (field "a" u32)))
  (export "t" (type $t))
)
