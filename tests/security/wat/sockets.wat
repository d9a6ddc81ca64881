;; A guest that only creates sockets (WASI 0.2.0 sockets, written by hand):
;;   tcp() / udp()      create one socket, drop it; 0 if it was made, else 1 + the error-code index
;;   lookup()           resolve-addresses("localhost"): 0 if a stream was made, else 1 + index
;;   exhaust(limit)     create TCP sockets (keeping them) until one fails or `limit` exist;
;;                      then, with no descriptor left, one UDP socket and one lookup (the
;;                      host's first calls of those imports); drops everything it made and
;;                      returns count << 15 | tcp << 10 | udp << 5 | lookup, each status as above.
(component $root
  (import "wasi:sockets/network@0.2.0" (instance $network
    (export "network" (type (sub resource)))
    (type $ec (enum "unknown" "access-denied" "not-supported" "invalid-argument" "out-of-memory"
      "timeout" "concurrency-conflict" "not-in-progress" "would-block" "invalid-state"
      "new-socket-limit" "address-not-bindable" "address-in-use" "remote-unreachable"
      "connection-refused" "connection-reset" "connection-aborted" "datagram-too-large"
      "name-unresolvable" "temporary-resolver-failure" "permanent-resolver-failure"))
    (export "error-code" (type (eq $ec)))
    (type $af (enum "ipv4" "ipv6"))
    (export "ip-address-family" (type (eq $af)))))
  (alias export $network "network" (type $network_t))
  (alias export $network "error-code" (type $error_code))
  (alias export $network "ip-address-family" (type $family))

  (import "wasi:sockets/instance-network@0.2.0" (instance $instance_network
    (alias outer $root $network_t (type $n))
    (export "network" (type $nt (eq $n)))
    (export "instance-network" (func (result (own $nt))))))
  (alias export $instance_network "instance-network" (func $instance_network_f))

  (import "wasi:sockets/tcp@0.2.0" (instance $tcp
    (export "tcp-socket" (type (sub resource)))))
  (alias export $tcp "tcp-socket" (type $tcp_t))
  (import "wasi:sockets/udp@0.2.0" (instance $udp
    (export "udp-socket" (type (sub resource)))))
  (alias export $udp "udp-socket" (type $udp_t))
  (import "wasi:sockets/ip-name-lookup@0.2.0" (instance $lookup
    (alias outer $root $network_t (type $n))
    (export "network" (type $nt (eq $n)))
    (alias outer $root $error_code (type $e))
    (export "error-code" (type $ect (eq $e)))
    (export "resolve-address-stream" (type $ras (sub resource)))
    (export "resolve-addresses"
      (func (param "network" (borrow $nt)) (param "name" string) (result (result (own $ras) (error $ect)))))))
  (alias export $lookup "resolve-address-stream" (type $ras_t))
  (alias export $lookup "resolve-addresses" (func $resolve))

  (import "wasi:sockets/tcp-create-socket@0.2.0" (instance $tcp_create
    (alias outer $root $network_t (type $n))
    (export "network" (type $nt (eq $n)))
    (alias outer $root $error_code (type $e))
    (export "error-code" (type $ect (eq $e)))
    (alias outer $root $family (type $f))
    (export "ip-address-family" (type $ft (eq $f)))
    (alias outer $root $tcp_t (type $t))
    (export "tcp-socket" (type $tt (eq $t)))
    (export "create-tcp-socket" (func (param "address-family" $ft) (result (result (own $tt) (error $ect)))))))
  (alias export $tcp_create "create-tcp-socket" (func $create_tcp))
  (import "wasi:sockets/udp-create-socket@0.2.0" (instance $udp_create
    (alias outer $root $network_t (type $n))
    (export "network" (type $nt (eq $n)))
    (alias outer $root $error_code (type $e))
    (export "error-code" (type $ect (eq $e)))
    (alias outer $root $family (type $f))
    (export "ip-address-family" (type $ft (eq $f)))
    (alias outer $root $udp_t (type $t))
    (export "udp-socket" (type $ut (eq $t)))
    (export "create-udp-socket" (func (param "address-family" $ft) (result (result (own $ut) (error $ect)))))))
  (alias export $udp_create "create-udp-socket" (func $create_udp))

  (core module $libc
    (memory (export "mem") 2)
    (global $heap (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $heap) (i32.const 7)) (i32.const -8)))
      (global.set $heap (i32.add (local.get $p) (local.get 3)))
      (local.get $p)))
  (core instance $libc (instantiate $libc))
  (alias core export $libc "mem" (core memory $mem))
  (alias core export $libc "realloc" (core func $realloc))

  (core func $create_tcp_low (canon lower (func $create_tcp) (memory $mem)))
  (core func $create_udp_low (canon lower (func $create_udp) (memory $mem)))
  (core func $instance_network_low (canon lower (func $instance_network_f)))
  (core func $resolve_low (canon lower (func $resolve) (memory $mem) (realloc $realloc)))
  (core func $drop_tcp (canon resource.drop $tcp_t))
  (core func $drop_udp (canon resource.drop $udp_t))
  (core func $drop_network (canon resource.drop $network_t))
  (core func $drop_ras (canon resource.drop $ras_t))

  (core module $main
    (import "libc" "mem" (memory 2))
    (import "wasi" "create-tcp" (func $create_tcp (param i32 i32)))
    (import "wasi" "create-udp" (func $create_udp (param i32 i32)))
    (import "wasi" "instance-network" (func $instance_network (result i32)))
    (import "wasi" "resolve" (func $resolve (param i32 i32 i32 i32)))
    (import "wasi" "drop-tcp" (func $drop_tcp (param i32)))
    (import "wasi" "drop-udp" (func $drop_udp (param i32)))
    (import "wasi" "drop-network" (func $drop_network (param i32)))
    (import "wasi" "drop-ras" (func $drop_ras (param i32)))
    (data (i32.const 16) "localhost")
    ;; return area at 0: result<handle, error-code> is (tag u8, payload u32 at 4)
    (func $status (result i32)
      (if (result i32) (i32.load8_u (i32.const 0))
        (then (i32.add (i32.const 1) (i32.load8_u (i32.const 4))))
        (else (i32.const 0))))
    (func (export "tcp") (result i32)
      (local $s i32)
      (call $create_tcp (i32.const 0) (i32.const 0))
      (local.set $s (call $status))
      (if (i32.eqz (local.get $s)) (then (call $drop_tcp (i32.load (i32.const 4)))))
      (local.get $s))
    (func (export "udp") (result i32)
      (local $s i32)
      (call $create_udp (i32.const 0) (i32.const 0))
      (local.set $s (call $status))
      (if (i32.eqz (local.get $s)) (then (call $drop_udp (i32.load (i32.const 4)))))
      (local.get $s))
    (func $lookup (export "lookup") (result i32)
      (local $s i32) (local $net i32)
      (local.set $net (call $instance_network))
      (call $resolve (local.get $net) (i32.const 16) (i32.const 9) (i32.const 0))
      (local.set $s (call $status))
      (if (i32.eqz (local.get $s)) (then (call $drop_ras (i32.load (i32.const 4)))))
      (call $drop_network (local.get $net))
      (local.get $s))
    (func (export "exhaust") (param $limit i32) (result i32)
      (local $n i32) (local $tcp i32) (local $udp i32) (local $lookup i32) (local $i i32)
      ;; handles are kept at 4096 + 4 * n
      (block $done
        (loop $more
          (br_if $done (i32.ge_u (local.get $n) (local.get $limit)))
          (call $create_tcp (i32.const 0) (i32.const 0))
          (local.set $tcp (call $status))
          (br_if $done (local.get $tcp))
          (i32.store (i32.add (i32.const 4096) (i32.shl (local.get $n) (i32.const 2))) (i32.load (i32.const 4)))
          (local.set $n (i32.add (local.get $n) (i32.const 1)))
          (br $more)))
      ;; first use of other imports, while no descriptor is left
      (call $create_udp (i32.const 0) (i32.const 0))
      (local.set $udp (call $status))
      (if (i32.eqz (local.get $udp)) (then (call $drop_udp (i32.load (i32.const 4)))))
      (local.set $lookup (call $lookup))
      (block $freed
        (loop $free
          (br_if $freed (i32.ge_u (local.get $i) (local.get $n)))
          (call $drop_tcp (i32.load (i32.add (i32.const 4096) (i32.shl (local.get $i) (i32.const 2)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $free)))
      (i32.or (i32.or (i32.shl (local.get $n) (i32.const 15)) (i32.shl (local.get $tcp) (i32.const 10)))
        (i32.or (i32.shl (local.get $udp) (i32.const 5)) (local.get $lookup)))))
  (core instance $main (instantiate $main
    (with "libc" (instance $libc))
    (with "wasi" (instance
      (export "create-tcp" (func $create_tcp_low))
      (export "create-udp" (func $create_udp_low))
      (export "instance-network" (func $instance_network_low))
      (export "resolve" (func $resolve_low))
      (export "drop-tcp" (func $drop_tcp))
      (export "drop-udp" (func $drop_udp))
      (export "drop-network" (func $drop_network))
      (export "drop-ras" (func $drop_ras))))))
  (func (export "tcp") (result u32) (canon lift (core func $main "tcp")))
  (func (export "udp") (result u32) (canon lift (core func $main "udp")))
  (func (export "lookup") (result u32) (canon lift (core func $main "lookup")))
  (func (export "exhaust") (param "limit" u32) (result u32) (canon lift (core func $main "exhaust"))))
