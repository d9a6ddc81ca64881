"""Hand-written components for the differential tests: valid ones, and near misses.

Each entry is component text; ``wasm-tools validate`` decides whether it is valid,
the tests only check that witkit decides the same.
"""

from __future__ import annotations

__all__ = ["TEXTS"]

_MODULE = """
  (core module $m
    (memory (export "mem") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 8)
    (func (export "i32") (param i32) (result i32) local.get 0)
    (func (export "ptr") (param i32 i32))
    (func (export "ret") (result i32) i32.const 0)
    (func (export "post") (param i32))
    (func (export "unit")))
  (core instance $i (instantiate $m))
"""

TEXTS: list[str] = [
    "(component)",
    '(component (import "a" (func)) (export "b" (func 0)))',
    '(component (import "a" (func)) (import "a" (func)))',
    '(component (import "a" (func)) (import "A" (func)))',
    '(component (import "foo-bar" (func)) (import "foobar" (func)))',
    '(component (import "a:b/c" (instance)) (import "a:b/c@1.0.0" (instance)))',
    '(component (import "a:b/c@1.0.0" (instance)) (import "a:b/c@2.0.0" (instance)))',
    '(component (import "a:b/c@01.0.0" (instance)))',
    '(component (import "url=<https://x>" (func)))',
    '(component (export "url=<https://x>" (func 0)))',
    '(component (import "unlocked-dep=<a:b@{>=1.0.0 <2.0.0}>" (component)))',
    '(component (import "locked-dep=<a:b@1.2.3>,integrity=<sha256-AAAA>" (component)))',
    '(component (import "integrity=<sha384-x>" (component)))',
    '(component (import "[constructor]r" (func)))',
    '(component (import "r" (type $r (sub resource))) (import "[constructor]r" (func (result (own $r)))))',
    '(component (import "r" (type $r (sub resource))) (import "[constructor]r" (func (result (result (own $r))))))',
    '(component (import "r" (type $r (sub resource))) (import "[constructor]r" (func async (result (own $r)))))',
    '(component (import "r" (type $r (sub resource))) (import "[method]r.m" (func (param "self" (borrow $r)))))',
    '(component (import "r" (type $r (sub resource))) (import "[method]r.m" (func (param "this" (borrow $r)))))',
    '(component (import "r" (type $r (sub resource))) (import "[method]s.m" (func (param "self" (borrow $r)))))',
    '(component (import "r" (type $r (sub resource))) (import "[static]r.m" (func)))',
    '(component (import "r" (type $r (sub resource))) (import "[static]q.m" (func)))',
    '(component (import "r" (type $r (sub resource))) (import "[method]r.r" (func (param "self" (borrow $r)))))',
    "(component (type (record)))",
    '(component (type (record (field "a" u8) (field "a-" u8))))',
    '(component (type (record (field "a" u8) (field "A" u8))))',
    '(component (type (variant (case "a") (case "b" u32))))',
    "(component (type (variant)))",
    "(component (type (tuple)))",
    '(component (type (flags "a" "b" "c")))',
    "(component (type (enum)))",
    '(component (type (enum "a" "b")))',
    "(component (type (option u8)) (type (result)) (type (result u8 (error string))))",
    "(component (type (list u8 4)))",
    "(component (type (list u8 0)))",
    "(component (type (map string u32)))",
    "(component (type (map (list u8) u32)))",
    "(component (type (stream u8)) (type (future)) (type (stream)))",
    "(component (type (stream char)))",
    '(component (import "r" (type $r (sub resource))) (type $b (borrow $r)) (type (stream $b)))',
    '(component (import "r" (type $r (sub resource))) (type $b (borrow $r)) (type $l (list $b)) (type (future $l)))',
    '(component (import "r" (type $r (sub resource))) (type $o (own $r)) (type (stream $o)))',
    "(component (type error-context))",
    '(component (type $r (resource (rep i32))) (type (own $r)) (type (borrow $r)) (export "r" (type $r)))',
    "(component (type (resource (rep i64))))",
    "(component (type (resource (rep f32))))",
    "(component (type (instance (type (resource (rep i32))))))",
    '(component (type (func (param "a" u8) (param "a" u8))))',
    '(component (type (func (param "A-B" u8) (result string))))',
    '(component (type $f (func async)) (import "f" (func (type $f))))',
    '(component (type $t (record (field "x" u8))) (import "f" (func (param "t" $t))))',
    '(component (type $t (record (field "x" u8))) (import "t" (type (eq $t))) (export "t2" (type $t)))',
    '(component (type $t (record (field "x" u8))) (export "t" (type $t)) (type (func (param "t" 1))) (export "f" (type 2)))',
    '(component (import "r" (type $r (sub resource))) (type (func (result (borrow $r)))))',
    '(component (type $r (resource (rep i32))) (type $o (own $r)) (type $f (func (result $o))) (import "f" (func (type $f))))',
    '(component (type $r (resource (rep i32))) (export $e "r" (type $r)) (type $o (own $e)) (type $f (func (result $o))) (export "f" (type $f)))',
    '(component (type $r (resource (rep i32))) (type $o (own $r)) (type $f (func (result $o))) (export "f" (type $f)))',
    """(component
      (type $ti (instance (export "r" (type (sub resource))) (type (own 0)) (export "o" (type (eq 1)))))
      (import "a:b/i" (instance $i (type $ti)))
      (alias export $i "r" (type $r))
      (alias export $i "o" (type $o))
      (type $tj (instance (alias outer 1 $r (type)) (export "r" (type (eq 0)))
                          (alias outer 1 $o (type)) (export "o" (type (eq 2)))))
      (import "a:b/j" (instance (type $tj))))""",
    """(component
      (type $r (resource (rep i32)))
      (type $ti (instance (alias outer 1 $r (type)) (export "r" (type (eq 0))))))""",
    """(component
      (type $c (component (import "x" (type (sub resource))) (export "y" (type (eq 0)))))
      (import "c" (component (type $c))))""",
    """(component
      (component $c (import "x" (type $x (sub resource))) (export "y" (type $x)))
      (import "r" (type $r (sub resource)))
      (instance $i (instantiate $c (with "x" (type $r))))
      (alias export $i "y" (type $y))
      (export "y" (type $y)))""",
    """(component
      (component $c (import "x" (type $x (sub resource))) (export "y" (type $x)))
      (instance $i (instantiate $c)))""",
    """(component
      (component $c (import "f" (func (param "a" u32))))
      (import "g" (func $g (param "a" u32)))
      (instance (instantiate $c (with "f" (func $g)) (with "extra" (func $g)))))""",
    """(component
      (component $c (import "i" (instance (export "f" (func)))))
      (import "j" (instance $j (export "f" (func)) (export "g" (func))))
      (instance (instantiate $c (with "i" (instance $j)))))""",
    """(component
      (component $c (import "i" (instance (export "f" (func)) (export "h" (func)))))
      (import "j" (instance $j (export "f" (func))))
      (instance (instantiate $c (with "i" (instance $j)))))""",
    """(component
      (component $c (import "m" (core module (import "a" "b" (func)))))
      (core module $m (import "a" "b" (func)) (import "a" "c" (func)))
      (instance (instantiate $c (with "m" (core module $m)))))""",
    """(component
      (component $c (import "m" (core module (export "x" (func)))))
      (core module $m (func (export "x")) (func (export "y")))
      (instance (instantiate $c (with "m" (core module $m)))))""",
    """(component
      (core module $a (func (export "f") (param i32)))
      (core module $b (import "a" "f" (func (param i32))))
      (core instance $ia (instantiate $a))
      (core instance (instantiate $b (with "a" (instance $ia)))))""",
    """(component
      (core module $a (func (export "f") (param i64)))
      (core module $b (import "a" "f" (func (param i32))))
      (core instance $ia (instantiate $a))
      (core instance (instantiate $b (with "a" (instance $ia)))))""",
    """(component
      (core module $b (import "a" "f" (func)))
      (core instance (instantiate $b)))""",
    """(component
      (core module $a (memory (export "m") 1 2))
      (core module $b (import "a" "m" (memory 1 3)))
      (core instance $ia (instantiate $a))
      (core instance (instantiate $b (with "a" (instance $ia)))))""",
    """(component
      (core module $a (memory (export "m") 1))
      (core module $b (import "a" "m" (memory 1 3)))
      (core instance $ia (instantiate $a))
      (core instance (instantiate $b (with "a" (instance $ia)))))""",
    """(component
      (core module $a (global (export "g") (mut i32) (i32.const 0)))
      (core module $b (import "a" "g" (global i32)))
      (core instance $ia (instantiate $a))
      (core instance (instantiate $b (with "a" (instance $ia)))))""",
    """(component
      (core module $a (table (export "t") 1 funcref))
      (core instance $ia (instantiate $a))
      (alias core export $ia "t" (core table))
      (core instance (export "t" (table 0)) (export "t" (table 0))))""",
    "(component "
    + _MODULE
    + ' (func (param "x" u32) (result u32) (canon lift (core func $i "i32"))))',
    "(component "
    + _MODULE
    + ' (func (param "x" u64) (result u32) (canon lift (core func $i "i32"))))',
    "(component "
    + _MODULE
    + ' (func (param "x" string) (canon lift (core func $i "ptr") (memory (core memory $i "mem")) (realloc (core func $i "realloc")))))',
    "(component "
    + _MODULE
    + ' (func (param "x" string) (canon lift (core func $i "ptr") (memory (core memory $i "mem")))))',
    "(component "
    + _MODULE
    + ' (func (result string) (canon lift (core func $i "ret") (memory (core memory $i "mem")))))',
    "(component " + _MODULE + ' (func (result string) (canon lift (core func $i "ret"))))',
    "(component "
    + _MODULE
    + ' (func (result u32) (canon lift (core func $i "ret") (post-return (core func $i "post")))))',
    "(component "
    + _MODULE
    + ' (func (result u32) (canon lift (core func $i "ret") (post-return (core func $i "unit")))))',
    "(component "
    + _MODULE
    + ' (func (canon lift (core func $i "unit") string-encoding=utf8 string-encoding=utf16)))',
    "(component "
    + _MODULE
    + ' (func (canon lift (core func $i "unit") (memory (core memory $i "mem")) (memory (core memory $i "mem")))))',
    "(component "
    + _MODULE
    + ' (func (canon lift (core func $i "unit") (realloc (core func $i "realloc")))))',
    "(component "
    + _MODULE
    + ' (func (canon lift (core func $i "unit") (realloc (core func $i "i32")) (memory (core memory $i "mem")))))',
    "(component " + _MODULE + ' (func async (canon lift (core func $i "unit") async)))',
    "(component " + _MODULE + ' (func (canon lift (core func $i "unit") async)))',
    "(component "
    + _MODULE
    + ' (func async (canon lift (core func $i "ret") async (callback (core func $i "i32")))))',
    "(component "
    + _MODULE
    + ' (import "f" (func $f (param "a" string) (result string)))'
    + ' (core func (canon lower (func $f) (memory (core memory $i "mem")) (realloc (core func $i "realloc")))))',
    "(component "
    + _MODULE
    + ' (import "f" (func $f (param "a" string) (result string)))'
    + ' (core func (canon lower (func $f) (memory (core memory $i "mem")))))',
    "(component "
    + _MODULE
    + ' (import "f" (func $f (param "a" u32)))'
    + ' (core func (canon lower (func $f) (post-return (core func $i "post")))))',
    "(component "
    + _MODULE
    + ' (import "f" (func $f async (param "a" u32) (result u32)))'
    + ' (core func (canon lower (func $f) async (memory (core memory $i "mem")))))',
    "(component (type $r (resource (rep i32))) (core func (canon resource.new $r)) (core func (canon resource.rep $r)) (core func (canon resource.drop $r)))",
    '(component (import "r" (type $r (sub resource))) (core func (canon resource.drop $r)))',
    '(component (import "r" (type $r (sub resource))) (core func (canon resource.new $r)))',
    "(component (core func (canon backpressure.inc)) (core func (canon task.cancel)) (core func (canon subtask.drop)))",
    "(component (core func (canon waitable-set.new)) (core func (canon waitable.join)) (core func (canon waitable-set.drop)))",
    "(component (core func (canon context.get i32 0)) (core func (canon context.set i32 0)))",
    "(component (core func (canon context.get i64 0)))",
    "(component (core func (canon context.get i32 1)))",
    "(component (type $s (stream u8)) (core func (canon stream.new $s)) (core func (canon stream.drop-readable $s)))",
    "(component (type $s (future u8)) (core func (canon stream.new $s)))",
    "(component (core func (canon thread.yield)))",
    "(component (core func (canon thread.index)))",
    "(component (core func (canon task.return (result u32))))",
    "(component (core func (canon task.return (result string))))",
    "(component (core func (canon error-context.drop)))",
    "(component (alias outer 1 0 (type)))",
    "(component (type u8) (component (alias outer 1 0 (type))))",
    "(component (type u8) (component (alias outer 2 0 (type))))",
    '(component (core type $f (func)) (core type (module (alias outer 1 $f (type)) (import "a" "b" (func (type 0))))))',
    '(component (core type (module (import "a" "b" (func)) (import "a" "b" (func)))))',
    '(component (core type (module (export "a" (func)) (export "a" (func)))))',
    "(component (core type (func (param i32 i64) (result f32))) (core rec (type (func)) (type (func))))",
    '(component (import "i" (instance (export "a" (func)) (export "A" (func)))))',
    '(component (import "i" (instance (export "x" (type (sub resource))) (export "[method]x.y" (func)))))',
    '(component (import "i" (instance $i (export "f" (func)))) (alias export $i "f" (func)) (alias export $i "g" (func)))',
    '(component (import "i" (instance $i (export "f" (func)))) (alias export $i "f" (type)))',
    """(component
      (import "i" (instance $i (export "f" (func))))
      (alias export $i "f" (func $f))
      (instance $j (export "f" (func $f)) (export "g" (func $f)))
      (export "j" (instance $j)))""",
    """(component
      (import "i" (instance $i (export "f" (func))))
      (alias export $i "f" (func $f))
      (instance $j (export "f" (func $f)) (export "F" (func $f))))""",
    '(component (import "f" (func $f)) (export "f" (func $f) (func (param "x" u8))))',
    '(component (import "f" (func $f)) (export "f" (func $f) (func)))',
    '(component (import "x" (type $t (sub resource))) (export "x2" (type $t)))',
    '(component (type $t (record (field "x" u8))) (type $f (func (param "t" $t))) (import "f" (func (type $f))))',
    """(component
      (component $c (type $r (resource (rep i32))) (export "r" (type $r)))
      (instance $i (instantiate $c))
      (export "i" (instance $i)))""",
    """(component
      (component $c (type $r (resource (rep i32))) (type $o (own $r)) (import "f" (func (result $o)))))""",
    """(component
      (type $i (instance (export "t" (type (sub resource)))))
      (type $c (component (export "a" (instance (type $i))) (export "b" (instance (type $i))))))""",
]


_M2 = """
  (core module $m
    (memory (export "mem") 1)
    (memory (export "mem64") i64 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 8)
    (func (export "p1") (param i32))
    (func (export "p2") (param i32 i32))
    (func (export "r1") (result i32) i32.const 0)
    (func (export "rf") (result f32) f32.const 0)
    (func (export "ri64") (result i64) i64.const 0)
    (func (export "v") )
    (func (export "p17") (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32))
    (func (export "p16") (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32))
    (func (export "pf") (param f32))
    (func (export "pi64") (param i64))
    (func (export "pvar") (param i32 i64))
    (func (export "pvar2") (param i32 i32))
    (func (export "p3r1") (param i32 i32 i32) (result i32) i32.const 0)
    (func (export "p2r1") (param i32 i32) (result i32) i32.const 0)
    (func (export "p1r1") (param i32) (result i32) i32.const 0))
  (core instance $i (instantiate $m))
"""
_MEM = '(memory (core memory $i "mem"))'
_RE = '(realloc (core func $i "realloc"))'


def _comp(body: str) -> str:
    return "(component " + _M2 + body + ")"


def _lift(core: str, ty: str, opts: str = "") -> str:
    return _comp(f'(func {ty} (canon lift (core func $i "{core}") {opts}))')


#: canonical ABI signatures, async built-ins, resources through instantiation and subtyping
TEXTS += [
    _lift(
        "p16",
        '(param "a" u32) (param "b" u32) (param "c" u32) (param "d" u32) (param "e" u32) (param "f" u32) (param "g" u32) (param "h" u32) (param "i" u32) (param "j" u32) (param "k" u32) (param "l" u32) (param "m" u32) (param "n" u32) (param "o" u32) (param "p" u32)',
    ),
    _lift(
        "p1",
        '(param "a" (tuple u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32))',
        _MEM + " " + _RE,
    ),
    _lift(
        "p1",
        '(param "a" (tuple u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32))',
        _MEM,
    ),
    _lift(
        "p1",
        '(param "a" (tuple u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32))',
    ),
    _lift("r1", "(result (tuple u32 u32))", _MEM),
    _lift("r1", "(result (tuple u32 u32))"),
    _lift("rf", "(result f32)"),
    _lift("r1", "(result f32)"),
    _lift("pvar", '(param "a" (variant (case "x" u32) (case "y" u64)))'),
    _lift("pvar2", '(param "a" (variant (case "x" u32) (case "y" f32)))'),
    _lift("pvar", '(param "a" (variant (case "x" f32) (case "y" f64)))'),
    _lift("pvar", '(param "a" (option u64))'),
    _lift("pvar2", '(param "a" (result u32 (error f32)))'),
    _lift("p1", '(param "a" (flags "a" "b"))'),
    _lift("p1", '(param "a" (enum "a" "b"))'),
    _lift("p2", '(param "a" (list u8))', _MEM + " " + _RE),
    _lift("p2", '(param "a" (list u8 2))'),
    _lift("p1", '(param "a" (list u8 2))'),
    _lift("p1", '(param "a" char)'),
    _lift("p2", '(param "a" string)', _MEM + " " + _RE + " string-encoding=utf16"),
    _lift("v", "async", ""),
    _lift("r1", "async", "async"),
    _lift("p1", 'async (param "a" u32)', "async " + '(callback (core func $i "p3r1"))'),
    _lift("r1", 'async (param "a" u32)', "async " + '(callback (core func $i "p3r1"))'),
    _lift("p1r1", 'async (param "a" u32)', "async " + '(callback (core func $i "p3r1"))'),
    _lift("p1r1", 'async (param "a" u32)', "async " + '(callback (core func $i "p1r1"))'),
    _lift("p1r1", 'async (param "a" u32)', "async " + '(callback (core func $i "p2r1"))'),
    _lift(
        "p1r1",
        'async (param "a" u32) (result string)',
        "async " + '(callback (core func $i "p1r1"))',
    ),
    _lift(
        "p1r1",
        'async (param "a" u32) (result string)',
        "async " + _MEM + ' (callback (core func $i "p1r1"))',
    ),
    _lift("r1", "(result u32)", '(post-return (core func $i "p2"))'),
    _lift("v", "", '(post-return (core func $i "v"))'),
    _lift("p1", '(param "a" u32)', '(memory (core memory $i "mem64"))'),
    _comp(
        '(import "f" (func $f async (param "a" u32) (param "b" u32) (param "c" u32) (param "d" u32) (param "e" u32))) (core func (canon lower (func $f) async))'
    ),
    _comp(
        '(import "f" (func $f async (param "a" u32) (param "b" u32) (param "c" u32) (param "d" u32) (param "e" u32))) (core func (canon lower (func $f) async '
        + _MEM
        + "))"
    ),
    _comp(
        '(import "f" (func $f async (param "a" u32) (param "b" u32) (param "c" u32) (param "d" u32))) (core func (canon lower (func $f) async))'
    ),
    _comp('(import "f" (func $f (result (tuple u32 u32)))) (core func (canon lower (func $f)))'),
    _comp(
        '(import "f" (func $f (result (tuple u32 u32)))) (core func (canon lower (func $f) '
        + _MEM
        + "))"
    ),
    _comp(
        '(import "f" (func $f (result string))) (core func (canon lower (func $f) ' + _MEM + "))"
    ),
    _comp(
        '(import "f" (func $f (result string))) (core func (canon lower (func $f) '
        + _MEM
        + " "
        + _RE
        + "))"
    ),
    _comp('(import "f" (func $f (param "x" (list u8)))) (core func (canon lower (func $f)))'),
    _comp(
        '(import "f" (func $f (param "x" (list u8)))) (core func (canon lower (func $f) '
        + _MEM
        + "))"
    ),
    _comp('(import "f" (func $f)) (core func (canon lower (func $f) async))'),
    _comp(
        "(core func (canon task.return (result (tuple u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32))))"
    ),
    _comp(
        "(core func (canon task.return (result (tuple u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32)) "
        + _MEM
        + "))"
    ),
    _comp("(core func (canon task.return (result string) " + _MEM + " " + _RE + "))"),
    _comp("(core func (canon task.return (result string) " + _MEM + " async))"),
    _comp("(type $s (stream string)) (core func (canon stream.read $s async " + _MEM + "))"),
    _comp(
        "(type $s (stream string)) (core func (canon stream.read $s async "
        + _MEM
        + " "
        + _RE
        + "))"
    ),
    _comp("(type $s (stream string)) (core func (canon stream.write $s async " + _MEM + "))"),
    _comp("(type $s (stream)) (core func (canon stream.read $s async))"),
    _comp("(type $s (stream u8)) (core func (canon stream.read $s async))"),
    _comp("(type $s (stream u8)) (core func (canon stream.read $s " + _MEM + "))"),
    _comp(
        "(type $s (future u8)) (core func (canon future.write $s async " + _MEM + " " + _RE + "))"
    ),
    _comp(
        "(type $s (future u8)) (core func (canon future.read $s async "
        + _MEM
        + ' (post-return (core func $i "p1"))))'
    ),
    _comp("(type $s (future u8)) (core func (canon future.cancel-read $s))"),
    _comp("(type $s (future u8)) (core func (canon future.cancel-read $s async))"),
    _comp("(core func (canon waitable-set.wait " + '(memory (core memory $i "mem"))' + "))"),
    _comp("(core func (canon waitable-set.wait " + '(memory (core memory $i "mem64"))' + "))"),
    _comp("(core func (canon context.get i32 0)) (core func (canon context.set i64 0))"),
    _comp("(core func (canon context.get f32 0))"),
    _comp('(import "r" (type $r (sub resource))) (core func (canon resource.rep $r))'),
    _comp('(type $r (resource (rep i32) (dtor (core func $i "p2"))))'),
    _comp('(type $r (resource (rep i32) (dtor (core func $i "p1"))))'),
    _comp("(type u8) (core func (canon resource.drop 0))"),
    _comp("(core func (canon error-context.new " + _MEM + "))"),
    _comp("(core func (canon error-context.debug-message " + _MEM + "))"),
    _comp("(core func (canon subtask.cancel async))"),
    _comp("(core func (canon thread.new-indirect 0 (core table 0)))"),
    _comp(
        '(core type $t (func (param i32))) (alias core export $i "mem" (core memory $mm)) (core module $tm (table (export "t") 1 funcref)) (core instance $ti (instantiate $tm)) (alias core export $ti "t" (core table $t0)) (core func (canon thread.new-indirect $t (core table $t0)))'
    ),
    # subtyping through instances with resources
    """(component
   (component $c
     (import "i" (instance $i (export "r" (type (sub resource))) (export "f" (func (result (own 0))))))
     (alias export $i "r" (type $r)))
   (import "j" (instance $j (export "r" (type (sub resource))) (export "f" (func (result (own 0))))))
   (instance (instantiate $c (with "i" (instance $j)))))""",
    """(component
   (component $c
     (import "i" (instance $i (export "r" (type (sub resource))) (export "f" (func (result (own 0)))))))
   (import "r2" (type $r2 (sub resource)))
   (import "j" (instance $j (export "r" (type (sub resource))) (export "f" (func (result (own $r2))))))
   (instance (instantiate $c (with "i" (instance $j)))))""",
    """(component
   (type $ct (component (import "r" (type (sub resource))) (export "f" (func (result (own 0))))))
   (component $c (import "r" (type $r (sub resource))) (import "g" (func $g (result (own $r)))) (export "f" (func $g)))
   (component $d (import "c" (component (type $ct))))
   (instance (instantiate $d (with "c" (component $c)))))""",
    """(component
   (type $ct (component (import "r" (type (sub resource))) (export "f" (func (result (own 0))))))
   (component $c (import "r" (type $r (sub resource))) (import "g" (func $g (result u32))) (export "f" (func $g)))
   (component $d (import "c" (component (type $ct))))
   (instance (instantiate $d (with "c" (component $c)))))""",
    """(component
   (type $ct (component (export "r" (type (sub resource))) (export "f" (func (result (own 0))))))
   (component $c (type $r (resource (rep i32))) (export $e "r" (type $r))
      (core module $m2 (func (export "f") (result i32) i32.const 0)) (core instance $i2 (instantiate $m2))
      (type $o (own $e)) (func (export "f") (result $o) (canon lift (core func $i2 "f"))))
   (component $d (import "c" (component (type $ct))))
   (instance (instantiate $d (with "c" (component $c)))))""",
    """(component
   (import "a" (instance $a (export "r" (type (sub resource)))))
   (alias export $a "r" (type $r))
   (component $c (import "x" (type (sub resource))) (import "y" (type (sub resource))))
   (instance (instantiate $c (with "x" (type $r)) (with "y" (type $r)))))""",
    """(component
   (import "a" (type $a (sub resource)))
   (type $t (component (import "x" (type (eq $a))))))""",
    """(component
   (type $t (component (import "x" (type (sub resource))) (type (own 0)) (export "y" (type (eq 1))))))""",
    """(component
   (type $t (component (export "x" (type (sub resource))) (import "y" (func (result (own 0)))))))""",
    """(component
   (type $t (instance (export "x" (type (sub resource))) (export "y" (instance (export "z" (type (sub resource))) (export "w" (type (eq 0))))))))""",
    """(component
   (type $r (resource (rep i32)))
   (component $c (import "a" (type $a (sub resource))))
   (instance (instantiate $c (with "a" (type $r)))))""",
    """(component
   (type $r (resource (rep i32)))
   (type $o (own $r))
   (component $c (import "a" (type (sub resource))))
   (instance $x (instantiate $c (with "a" (type $r))))
   (export "x" (instance $x)))""",
    """(component
   (type $r (resource (rep i32)))
   (import "f" (func $f))
   (instance $x (export "r" (type $r)) (export "f" (func $f)))
   (export "x" (instance $x)))""",
    """(component
   (type $r (resource (rep i32)))
   (type $o (own $r)) (type $ft (func (result $o)))
   (import "f" (func $f (type $ft))))""",
    """(component
   (import "i" (instance $i (export "f" (func)) (export "g" (func))))
   (export "e" (instance $i) (instance (export "f" (func)))))""",
    """(component
   (import "i" (instance $i (export "f" (func))))
   (export "e" (instance $i) (instance (export "f" (func)) (export "g" (func)))))""",
    """(component (import "c" (component $c (import "x" (func)))) (export "d" (component $c) (component)))""",
    """(component (import "c" (component $c)) (export "d" (component $c) (component (import "x" (func)))))""",
    """(component (import "m" (core module $m (import "a" "b" (func)))) (export "n" (core module $m) (core module)))""",
    """(component (import "m" (core module $m)) (export "n" (core module $m) (core module (import "a" "b" (func)))))""",
    """(component
      (type $t (instance (export "r" (type (sub resource)))))
      (import "t" (type $t2 (eq $t)))
      (import "a" (instance $a (type $t2)))
      (import "b" (instance $b (type $t2)))
      (alias export $a "r" (type $ra))
      (alias export $b "r" (type $rb))
      (component $c (import "x" (type (sub resource))) (import "y" (type (eq 0))))
      (instance (instantiate $c (with "x" (type $ra)) (with "y" (type $rb)))))""",
]
