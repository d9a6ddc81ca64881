(component
  (type $store (instance
    (export "bucket" (type $b (sub resource)))
    (type $ob (own $b))
    (export "open" (func (param "name" string) (result $ob)))
  ))
  (import "primary" (implements "acme:kv/store@1.0.0") (instance $p (type $store)))
  (import "secondary" (implements "acme:kv/store@1.0.0") (instance $s (type $store)))
  (import "acme:kv/store@1.0.0" (instance $x (type $store)))
)
