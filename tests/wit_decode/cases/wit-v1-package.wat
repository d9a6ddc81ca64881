;; A WIT package in the first ("v1") encoding: one exported component type
;; named `ns:pkg/wit`, whose imports are the foreign interfaces it uses and whose
;; exports are its interfaces and worlds, named by id.
(component
  (type $pkg (component
    (import "other:dep/types@2.0.0" (instance $dep
      (type $id (record (field "hi" u64) (field "lo" u64)))
      (export "id" (type (eq $id)))
    ))
    (alias export $dep "id" (type $dep-id))
    (export "v1:pkg/api" (instance
      (alias outer 1 $dep-id (type $id))
      (export "id" (type $id2 (eq $id)))
      (type $status (enum "up" "down"))
      (export "status" (type $status2 (eq $status)))
      (export "check" (func (param "who" $id2) (result $status2)))
    ))
    (export "v1:pkg/app" (component
      (import "other:dep/types@2.0.0" (instance
        (type $id (record (field "hi" u64) (field "lo" u64)))
        (export "id" (type (eq $id)))
      ))
      (import "log" (func (param "msg" string)))
      (export "run" (func (result u32)))
    ))
  ))
  (export "v1:pkg/wit" (type $pkg))
)
