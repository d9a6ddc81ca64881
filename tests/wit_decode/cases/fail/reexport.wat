(component
  (import "acme:kv/store" (instance $s
    (export "bucket" (type (sub resource)))
  ))
  (export "again" (instance $s))
)
