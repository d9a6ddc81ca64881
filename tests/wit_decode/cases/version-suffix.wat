(component
  (import "acme:env/vars@0.2" (version-suffix ".3") (instance
    (export "get" (func (param "k" string) (result (option string))))
  ))
)
