#!/usr/bin/env python3
"""Generate a large, deterministic SPINE (.spx, Modula-3 syntax) module for front-end benchmarking, and
optionally the same program written in C, so that `spinec -fsyntax-only` can be compared with
`clang -fsyntax-only` on inputs of comparable size and shape.

    gen_frontend_program.py [--lines N] [--seed S] [-o OUT.spx] [--c OUT.c]

The program is built once as a small statement/expression tree and then printed twice, once per language, so
the two files contain the same procedures, types, loops, branches and calls (one statement per line in both).
Everything is driven by one random.Random(seed); the same arguments always give byte-identical output.

What the module contains (all names declared before use, everything type-correct under Modula-3 rules):
  * CONST integer constants and array sizes, TYPE enumerations, records (nested one level through `link`),
    fixed arrays and `Set64 = SET OF [0..63]`, CONST set masks, global VARs (arrays, record arrays, scalars);
  * procedures of about 20-40 lines each, of five kinds: INTEGER functions, BOOLEAN functions, enumeration
    functions, proper procedures taking a VAR record and proper procedures taking a VAR INTEGER. Bodies mix
    assignments, INC/DEC, IF/ELSIF/ELSE, WHILE, FOR (with and without BY), REPEAT, LOOP/EXIT, CASE over
    integers (with ranges and lists) and enumerations, DIV/MOD, array indexing, record fields, set
    constructors/IN/+/*/-, calls to earlier procedures (EVAL for discarded results) and early RETURNs;
  * a module body that initialises the globals, calls a sample of the procedures and prints with
    IO.PutInt / IO.Put.

C mapping: INTEGER -> long, BOOLEAN -> _Bool, enumerations -> typedef'd enums with prefixed members, records
-> structs, Set64 -> unsigned long long bit masks, DIV/MOD -> m3_div/m3_mod (floored, as in Modula-3), VAR
parameters -> pointers, CASE -> switch, REPEAT -> do/while, LOOP -> for (;;), IO -> io_put_int/io_put.
"""

import argparse
import random
import sys

# ------------------------------------------------------------------------------------------- expression tree
#
# Expressions are tuples:
#   ('lit', n) ('const', name) ('var', name) ('bool', b) ('enumval', type, member)
#   ('bin', op, a, b)   op in + - * DIV MOD = # < <= > >= AND OR  S+ S- S* (set ops) IN S= S#
#   ('neg', a) ('not', a) ('ord', a) ('field', base, name) ('idx', base, index) ('call', proc, args)
#   ('setc', items)     items: ('one', expr) | ('range', lo, hi)
#   ('addr', designator) -- an actual for a VAR formal
# Statements are tuples:
#   ('assign', lv, e) ('inc', lv, e|None) ('dec', lv, e|None) ('if', [(cond, body)], else|None)
#   ('while', cond, body) ('for', var, lo, hi, step, body) ('repeat', body, cond) ('loop', body) ('exit',)
#   ('case', sel, [(labels, body)], else)  labels: [('int', lo, hi)] or [('enum', type, member)]
#   ('call', proc, args) ('eval', callexpr) ('return', e|None) ('putint', e) ('put', text)
#   ('block', stmts) -- generator-internal grouping (counter reset + loop), flattened before printing

M3_BIN = {
    '+': ('+', 5), '-': ('-', 5), '*': ('*', 6), 'DIV': ('DIV', 6), 'MOD': ('MOD', 6),
    '=': ('=', 4), '#': ('#', 4), '<': ('<', 4), '<=': ('<=', 4), '>': ('>', 4), '>=': ('>=', 4),
    'AND': ('AND', 2), 'OR': ('OR', 1),
    'S+': ('+', 5), 'S-': ('-', 5), 'S*': ('*', 6), 'IN': ('IN', 4), 'S=': ('=', 4), 'S#': ('#', 4),
}

C_BIN = {
    '+': ('+', 9), '-': ('-', 9), '*': ('*', 10),
    '=': ('==', 6), '#': ('!=', 6), '<': ('<', 7), '<=': ('<=', 7), '>': ('>', 7), '>=': ('>=', 7),
    'AND': ('&&', 2), 'OR': ('||', 1), 'S+': ('|', 3), 'S*': ('&', 5), 'S=': ('==', 6), 'S#': ('!=', 6),
}


def set_mask(items):
    mask = 0
    for it in items:
        if it[0] == 'range':
            for v in range(it[1], it[2] + 1):
                mask |= 1 << v
        else:
            mask |= 1 << it[1][1]
    return mask


class M3Printer:
    def __init__(self):
        self.ptrs = set()

    # Returns (text, precedence). OR 1, AND 2, NOT 3, relations 4, + - 5, * DIV MOD 6, prefix 7, primary 8.
    def expr(self, e):
        k = e[0]
        if k == 'lit':
            return str(e[1]), 8
        if k in ('const', 'var'):
            return e[1], 8
        if k == 'bool':
            return ('TRUE' if e[1] else 'FALSE'), 8
        if k == 'enumval':
            return '%s.%s' % (e[1], e[2]), 8
        if k == 'bin':
            op, p = M3_BIN[e[1]]
            lt, lp = self.expr(e[2])
            rt, rp = self.expr(e[3])
            if lp < p or (lp == p and p == 4):
                lt = '(' + lt + ')'
            if rp <= p:
                rt = '(' + rt + ')'
            return '%s %s %s' % (lt, op, rt), p
        if k == 'neg':
            t, p = self.expr(e[1])
            return '-' + (t if p >= 8 else '(' + t + ')'), 7
        if k == 'not':
            t, p = self.expr(e[1])
            return 'NOT ' + (t if p >= 8 else '(' + t + ')'), 3
        if k == 'ord':
            return 'ORD(%s)' % self.expr(e[1])[0], 8
        if k == 'field':
            return '%s.%s' % (self.expr(e[1])[0], e[2]), 8
        if k == 'idx':
            return '%s[%s]' % (self.expr(e[1])[0], self.expr(e[2])[0]), 8
        if k == 'call':
            return '%s(%s)' % (e[1], ', '.join(self.expr(a)[0] for a in e[2])), 8
        if k == 'addr':
            return self.expr(e[1])
        if k == 'setc':
            parts = []
            for it in e[1]:
                if it[0] == 'range':
                    parts.append('%d..%d' % (it[1], it[2]))
                else:
                    parts.append(self.expr(it[1])[0])
            return 'Set64{%s}' % ', '.join(parts), 8
        raise ValueError(k)

    def x(self, e):
        return self.expr(e)[0]

    def stmts(self, ss, ind):
        out = []
        for i, s in enumerate(ss):
            lines = self.stmt(s, ind)
            if i < len(ss) - 1:
                lines[-1] += ';'
            out.extend(lines)
        return out

    def stmt(self, s, ind):
        pad = '  ' * ind
        k = s[0]
        x = self.x
        if k == 'assign':
            return ['%s%s := %s' % (pad, x(s[1]), x(s[2]))]
        if k in ('inc', 'dec'):
            name = k.upper()
            if s[2] is None:
                return ['%s%s(%s)' % (pad, name, x(s[1]))]
            return ['%s%s(%s, %s)' % (pad, name, x(s[1]), x(s[2]))]
        if k == 'if':
            out = []
            for i, (c, body) in enumerate(s[1]):
                out.append('%s%s %s THEN' % (pad, 'IF' if i == 0 else 'ELSIF', x(c)))
                out.extend(self.stmts(body, ind + 1))
            if s[2] is not None:
                out.append(pad + 'ELSE')
                out.extend(self.stmts(s[2], ind + 1))
            out.append(pad + 'END')
            return out
        if k == 'while':
            return ['%sWHILE %s DO' % (pad, x(s[1]))] + self.stmts(s[2], ind + 1) + [pad + 'END']
        if k == 'for':
            _, var, lo, hi, step, body = s
            by = '' if step == 1 else ' BY %d' % step
            return (['%sFOR %s := %s TO %s%s DO' % (pad, var, x(lo), x(hi), by)] +
                    self.stmts(body, ind + 1) + [pad + 'END'])
        if k == 'repeat':
            return [pad + 'REPEAT'] + self.stmts(s[1], ind + 1) + ['%sUNTIL %s' % (pad, x(s[2]))]
        if k == 'loop':
            return [pad + 'LOOP'] + self.stmts(s[1], ind + 1) + [pad + 'END']
        if k == 'exit':
            return [pad + 'EXIT']
        if k == 'case':
            out = ['%sCASE %s OF' % (pad, x(s[1]))]
            for labels, body in s[2]:
                ls = []
                for lab in labels:
                    if lab[0] == 'int':
                        ls.append(str(lab[1]) if lab[1] == lab[2] else '%d..%d' % (lab[1], lab[2]))
                    else:
                        ls.append('%s.%s' % (lab[1], lab[2]))
                out.append('%s| %s =>' % (pad, ', '.join(ls)))
                out.extend(self.stmts(body, ind + 1))
            out.append(pad + 'ELSE')
            out.extend(self.stmts(s[3], ind + 1))
            out.append(pad + 'END')
            return out
        if k == 'call':
            return ['%s%s' % (pad, x(('call', s[1], s[2])))]
        if k == 'eval':
            return ['%sEVAL %s' % (pad, x(s[1]))]
        if k == 'return':
            return [pad + 'RETURN' + ('' if s[1] is None else ' ' + x(s[1]))]
        if k == 'putint':
            return ['%sIO.PutInt(%s)' % (pad, x(s[1]))]
        if k == 'put':
            return ['%sIO.Put("%s\\n")' % (pad, s[1])]
        raise ValueError(k)


def c_arith(p):
    return p in (9, 10)


class CPrinter:
    def __init__(self):
        self.ptrs = set()

    def child(self, t, cp, pp, left, same_op):
        """Parenthesise a child of a binary C operator so that clang -Wall (-Wparentheses) stays quiet."""
        if cp >= 11:
            return t
        if cp > pp:
            if pp in (3, 4, 5, 8):             # bitwise/shift parent: always parenthesise
                return '(' + t + ')'
            if pp == 1 and cp == 2:            # && inside ||
                return '(' + t + ')'
            return t
        if cp == pp and left and same_op and (c_arith(pp) or pp in (1, 2)):
            return t
        return '(' + t + ')'

    # Returns (text, precedence): || 1, && 2, | 3, ^ 4, & 5, == != 6, < <= 7, << >> 8, + - 9, * / % 10,
    # unary/cast 11, postfix/primary 12.
    def expr(self, e):
        k = e[0]
        if k == 'lit':
            return str(e[1]), 12
        if k == 'const':
            return e[1], 12
        if k == 'var':
            if e[1] in self.ptrs:
                return '(*%s)' % e[1], 12
            return e[1], 12
        if k == 'bool':
            return ('1' if e[1] else '0'), 12
        if k == 'enumval':
            return '%s_%s' % (e[1], e[2]), 12
        if k == 'bin':
            op = e[1]
            if op in ('DIV', 'MOD'):
                return 'm3_%s(%s, %s)' % (op.lower(), self.x(e[2]), self.x(e[3])), 12
            if op == 'IN':
                el, ep = self.expr(e[2])
                st, sp = self.expr(e[3])
                if ep < 12:
                    el = '(' + el + ')'
                if sp < 12:
                    st = '(' + st + ')'
                return '((%s >> %s) & 1ULL) != 0' % (st, el), 6
            if op == 'S-':
                lt, lp = self.expr(e[2])
                rt, rp = self.expr(e[3])
                lt = self.child(lt, lp, 5, True, False)
                rt = rt if rp >= 12 else '(' + rt + ')'
                return '%s & ~%s' % (lt, rt), 5
            cop, p = C_BIN[op]
            lt, lp = self.expr(e[2])
            rt, rp = self.expr(e[3])
            lsame = e[2][0] == 'bin' and e[2][1] == op
            return '%s %s %s' % (self.child(lt, lp, p, True, lsame), cop,
                                 self.child(rt, rp, p, False, False)), p
        if k == 'neg':
            t, p = self.expr(e[1])
            return '-' + (t if p >= 12 else '(' + t + ')'), 11
        if k == 'not':
            t, p = self.expr(e[1])
            return '!' + (t if p >= 12 else '(' + t + ')'), 11
        if k == 'ord':
            t, p = self.expr(e[1])
            return '(long)' + (t if p >= 12 else '(' + t + ')'), 11
        if k == 'field':
            b = e[1]
            if b[0] == 'var' and b[1] in self.ptrs:
                return '%s->%s' % (b[1], e[2]), 12
            return '%s.%s' % (self.x(b), e[2]), 12
        if k == 'idx':
            return '%s[%s]' % (self.x(e[1]), self.x(e[2])), 12
        if k == 'call':
            return '%s(%s)' % (e[1], ', '.join(self.x(a) for a in e[2])), 12
        if k == 'addr':
            d = e[1]
            if d[0] == 'var' and d[1] in self.ptrs:
                return d[1], 12
            return '&' + self.x(d), 11
        if k == 'setc':
            const_items = [it for it in e[1] if it[0] == 'range' or it[1][0] == 'lit']
            dyn = [it for it in e[1] if not (it[0] == 'range' or it[1][0] == 'lit')]
            parts = []
            if const_items or not dyn:
                parts.append('0x%XULL' % set_mask(const_items))
            for it in dyn:
                parts.append('(1ULL << %s)' % self.x(it[1]))
            if len(parts) == 1:
                return parts[0], 12
            return '(' + ' | '.join(parts) + ')', 12
        raise ValueError(k)

    def x(self, e):
        return self.expr(e)[0]

    def stmts(self, ss, ind):
        out = []
        for s in ss:
            out.extend(self.stmt(s, ind))
        return out

    def stmt(self, s, ind):
        pad = '  ' * ind
        k = s[0]
        x = self.x
        if k == 'assign':
            return ['%s%s = %s;' % (pad, x(s[1]), x(s[2]))]
        if k in ('inc', 'dec'):
            if s[2] is None:
                return ['%s%s%s;' % (pad, x(s[1]), '++' if k == 'inc' else '--')]
            return ['%s%s %s= %s;' % (pad, x(s[1]), '+' if k == 'inc' else '-', x(s[2]))]
        if k == 'if':
            out = []
            for i, (c, body) in enumerate(s[1]):
                out.append('%s%sif (%s) {' % (pad if i == 0 else pad + '} else ', '', x(c)))
                out.extend(self.stmts(body, ind + 1))
            if s[2] is not None:
                out.append(pad + '} else {')
                out.extend(self.stmts(s[2], ind + 1))
            out.append(pad + '}')
            return out
        if k == 'while':
            return ['%swhile (%s) {' % (pad, x(s[1]))] + self.stmts(s[2], ind + 1) + [pad + '}']
        if k == 'for':
            _, var, lo, hi, step, body = s
            if step == 1:
                cond, inc = '<=', var + '++'
            elif step == -1:
                cond, inc = '>=', var + '--'
            elif step > 0:
                cond, inc = '<=', '%s += %d' % (var, step)
            else:
                cond, inc = '>=', '%s -= %d' % (var, -step)
            return (['%sfor (long %s = %s; %s %s %s; %s) {' % (pad, var, x(lo), var, cond, x(hi), inc)] +
                    self.stmts(body, ind + 1) + [pad + '}'])
        if k == 'repeat':
            t, p = self.expr(s[2])
            return ([pad + 'do {'] + self.stmts(s[1], ind + 1) +
                    ['%s} while (!%s);' % (pad, t if p >= 12 else '(' + t + ')')])
        if k == 'loop':
            return [pad + 'for (;;) {'] + self.stmts(s[1], ind + 1) + [pad + '}']
        if k == 'exit':
            return [pad + 'break;']
        if k == 'case':
            out = ['%sswitch (%s) {' % (pad, x(s[1]))]
            for labels, body in s[2]:
                ls = []
                for lab in labels:
                    if lab[0] == 'int':
                        ls.extend('case %d:' % v for v in range(lab[1], lab[2] + 1))
                    else:
                        ls.append('case %s_%s:' % (lab[1], lab[2]))
                out.append(pad + ' '.join(ls))
                out.extend(self.stmts(body, ind + 1))
                out.append(pad + '  break;')
            out.append(pad + 'default:')
            out.extend(self.stmts(s[3], ind + 1))
            out.append(pad + '  break;')
            out.append(pad + '}')
            return out
        if k == 'call':
            return ['%s%s;' % (pad, x(('call', s[1], s[2])))]
        if k == 'eval':
            return ['%s%s;' % (pad, x(s[1]))]
        if k == 'return':
            return [pad + 'return' + ('' if s[1] is None else ' ' + x(s[1])) + ';']
        if k == 'putint':
            return ['%sio_put_int(%s);' % (pad, x(s[1]))]
        if k == 'put':
            return ['%sio_put("%s\\n");' % (pad, s[1])]
        raise ValueError(k)


# ------------------------------------------------------------------------------------------- program model

ENUM_POOL = ['Red', 'Green', 'Blue', 'Amber', 'Cyan', 'Idle', 'Busy', 'Done', 'Failed', 'Low', 'High',
             'Open', 'Closed', 'Ready', 'Waiting', 'Lost', 'Found', 'North', 'South', 'East', 'West']
INT_LOCAL_POOL = ['z', 't', 'u', 'v']
FOR_VARS = ['i', 'j', 'k', 'q']
MAX_DEPTH = 3   # statement nesting depth (loop counters w0..w2 and FOR variables are per depth)


class Proc:
    def __init__(self, name, kind, rec=None, enum=None):
        self.name = name
        self.kind = kind      # fint, fbool, fenum, prec, pacc
        self.rec = rec        # record type index for prec
        self.enum = enum      # enum type index for fenum


class Ctx:
    """What a procedure body can see."""

    def __init__(self):
        self.int_read = []    # readable INTEGER variables (locals, value params, globals)
        self.int_assign = []  # assignable INTEGER variables
        self.loop_vars = []   # FOR variables and loop counters in scope (read only)
        self.bools = []
        self.sets = []
        self.rec = None       # (expr, record index) of the record variable or VAR param
        self.enum = None      # (expr, enum index) of the enum local
        self.kind = None      # procedure kind, or 'main'
        self.proc = None
        self.ncalls = 0


class Gen:
    def __init__(self, lines, seed):
        self.target = lines
        self.rng = random.Random(seed)
        scale = max(1, lines // 2500)
        self.n_const = max(8, lines // 500)
        self.n_enum = max(2, scale)
        self.n_rec = max(2, scale)
        self.n_arr = max(2, lines // 5000)
        self.n_mask = max(2, lines // 5000)
        r = self.rng
        self.consts = [('K%d' % i, r.randrange(2, 97)) for i in range(self.n_const)]
        self.arr_sizes = [r.choice([16, 32, 64, 128, 256]) for _ in range(self.n_arr)]
        self.enums = []
        for i in range(self.n_enum):
            n = r.randrange(3, 7)
            start = r.randrange(len(ENUM_POOL))
            self.enums.append([ENUM_POOL[(start + j) % len(ENUM_POOL)] for j in range(n)])
        self.recs = []   # each: dict(ints=[...], enum=idx, link=idx|None)
        for i in range(self.n_rec):
            nvals = r.randrange(1, 4)
            self.recs.append({'ints': ['id', 'count'] + ['val%d' % j for j in range(nvals)],
                              'enum': r.randrange(self.n_enum),
                              'link': i - 1 if i > 0 else None})
        self.masks = []
        for i in range(self.n_mask):
            self.masks.append(self.set_items(constant_only=True, ctx=None))
        self.procs = []
        self.m3 = M3Printer()
        self.c = CPrinter()

    # ---------------------------------------------------------------- helpers
    def pick(self, seq):
        return seq[self.rng.randrange(len(seq))]

    def chance(self, p):
        return self.rng.random() < p

    def set_items(self, constant_only, ctx):
        r = self.rng
        items = []
        v = r.randrange(0, 8)
        for _ in range(r.randrange(1, 4)):
            if v > 60:
                break
            if r.random() < 0.4:
                hi = min(63, v + r.randrange(1, 6))
                items.append(('range', v, hi))
                v = hi + r.randrange(2, 10)
            else:
                items.append(('one', ('lit', v)))
                v += r.randrange(2, 10)
        if not constant_only and ctx is not None and r.random() < 0.5:
            items.append(('one', ('bin', 'MOD', self.int_expr(ctx, 1), ('lit', 64))))
        return items

    def earlier(self, kinds, pred=None):
        """An earlier procedure of one of the given kinds (biased toward recent ones), or None."""
        if not self.procs:
            return None
        for _ in range(8):
            if self.chance(0.7):
                lo = max(0, len(self.procs) - 40)
                p = self.procs[self.rng.randrange(lo, len(self.procs))]
            else:
                p = self.pick(self.procs)
            if p.kind in kinds and (pred is None or pred(p)):
                return p
        return None

    # ---------------------------------------------------------------- designators
    def rec_int_field(self, ctx):
        """An INTEGER field of the record in scope, possibly through `link`."""
        base, ri = ctx.rec
        rec = self.recs[ri]
        if rec['link'] is not None and self.chance(0.3):
            li = rec['link']
            return ('field', ('field', base, 'link'), self.pick(self.recs[li]['ints']))
        return ('field', base, self.pick(rec['ints']))

    def index_expr(self, ctx, size_const):
        return ('bin', 'MOD', self.int_expr(ctx, 1, no_calls=True), ('const', size_const))

    def array_elem(self, ctx):
        a = self.rng.randrange(self.n_arr)
        return ('idx', ('var', 'gA%d' % a), self.index_expr(ctx, 'SizeA%d' % a))

    def global_rec_int(self, ctx):
        ri = self.rng.randrange(self.n_rec)
        return ('field', ('idx', ('var', 'gRecs%d' % ri), self.index_expr(ctx, 'RecsN')),
                self.pick(self.recs[ri]['ints']))

    def int_lvalue(self, ctx):
        r = self.rng.random()
        if r < 0.5 and ctx.int_assign:
            return ('var', self.pick(ctx.int_assign))
        if r < 0.7 and ctx.rec is not None:
            return self.rec_int_field(ctx)
        if r < 0.85:
            return self.array_elem(ctx)
        if r < 0.95:
            return self.global_rec_int(ctx)
        return ('var', 'gSink')

    def rec_designator(self, ctx, ri):
        """A writable designator of record type Rec<ri>."""
        opts = [('var', 'gRec%d' % ri), ('idx', ('var', 'gRecs%d' % ri), self.index_expr(ctx, 'RecsN'))]
        if ctx.rec is not None:
            base, have = ctx.rec
            if have == ri:
                opts += [base, base]
            elif self.recs[have]['link'] == ri:
                opts.append(('field', base, 'link'))
        return self.pick(opts)

    # ---------------------------------------------------------------- expressions
    def int_leaf(self, ctx):
        r = self.rng.random()
        if r < 0.35:
            return ('var', self.pick(ctx.int_read + ctx.loop_vars))
        if r < 0.5:
            return ('lit', self.rng.randrange(0, 100))
        if r < 0.6:
            return ('const', self.pick(self.consts)[0])
        if r < 0.75 and ctx.rec is not None:
            return self.rec_int_field(ctx)
        if r < 0.84:
            return self.array_elem(ctx)
        if r < 0.9:
            return self.global_rec_int(ctx)
        if r < 0.92 and ctx.enum is not None:
            return ('ord', ctx.enum[0])
        if r < 0.94 and ctx.rec is not None:
            return ('ord', ('field', ctx.rec[0], 'kind'))
        return ('var', self.pick(ctx.int_read + ctx.loop_vars))

    def int_expr(self, ctx, depth, no_calls=False):
        r = self.rng.random()
        if depth <= 0 or r < 0.3:
            return self.int_leaf(ctx)
        if r < 0.7:
            op = self.pick(['+', '+', '-', '*'])
            return ('bin', op, self.int_expr(ctx, depth - 1, no_calls), self.int_expr(ctx, depth - 1, no_calls))
        if r < 0.84:
            op = self.pick(['DIV', 'MOD'])
            d = ('const', self.pick(self.consts)[0]) if self.chance(0.3) else ('lit', self.rng.randrange(2, 17))
            return ('bin', op, self.int_expr(ctx, depth - 1, no_calls), d)
        if r < 0.94 and not no_calls and ctx.ncalls < 6:
            p = self.earlier(('fint',))
            if p is not None:
                ctx.ncalls += 1
                return ('call', p.name, self.call_args(ctx, p))
        if r < 0.97 and not no_calls and ctx.ncalls < 6:
            p = self.earlier(('fenum',))
            if p is not None:
                ctx.ncalls += 1
                return ('ord', ('call', p.name, self.call_args(ctx, p)))
        return ('neg', self.int_leaf(ctx))

    def rel(self, ctx, depth):
        for _ in range(4):
            a = self.int_expr(ctx, depth)
            b = self.int_expr(ctx, max(0, depth - 1))
            if self.m3.x(a) != self.m3.x(b):
                return ('bin', self.pick(['=', '#', '<', '<=', '>', '>=']), a, b)
        return ('bin', '>', a, ('lit', 1000))

    def enum_expr(self, ctx, ei):
        opts = [('enumval', 'Color%d' % ei, self.pick(self.enums[ei]))]
        if ctx.enum is not None and ctx.enum[1] == ei:
            opts += [ctx.enum[0]] * 2
        if ctx.rec is not None and self.recs[ctx.rec[1]]['enum'] == ei:
            opts.append(('field', ctx.rec[0], 'kind'))
        if ctx.ncalls < 6:
            p = self.earlier(('fenum',), lambda p: p.enum == ei)
            if p is not None:
                ctx.ncalls += 1
                opts.append(('call', p.name, self.call_args(ctx, p)))
        return self.pick(opts)

    def any_enum_expr(self, ctx):
        """(expr, enum index) of some enumeration-valued expression."""
        r = self.rng.random()
        if r < 0.5 and ctx.enum is not None:
            return ctx.enum[0], ctx.enum[1]
        if r < 0.8 and ctx.rec is not None:
            return ('field', ctx.rec[0], 'kind'), self.recs[ctx.rec[1]]['enum']
        if ctx.ncalls < 6:
            p = self.earlier(('fenum',))
            if p is not None:
                ctx.ncalls += 1
                return ('call', p.name, self.call_args(ctx, p)), p.enum
        if ctx.enum is not None:
            return ctx.enum[0], ctx.enum[1]
        return ('field', ctx.rec[0], 'kind'), self.recs[ctx.rec[1]]['enum']

    def set_expr(self, ctx, depth=1):
        r = self.rng.random()
        if r < 0.3 and ctx.sets:
            return ('var', self.pick(ctx.sets))
        if r < 0.45 and ctx.rec is not None:
            return ('field', ctx.rec[0], 'tags')
        if r < 0.55:
            return ('const', 'Mask%d' % self.rng.randrange(self.n_mask))
        if r < 0.6:
            return ('var', 'gSet')
        if r < 0.8 or depth <= 0:
            return ('setc', self.set_items(False, ctx))
        return ('bin', self.pick(['S+', 'S*', 'S-']), self.set_expr(ctx, depth - 1), self.set_expr(ctx, depth - 1))

    def bool_expr(self, ctx, depth):
        r = self.rng.random()
        if depth <= 0 or r < 0.35:
            return self.rel(ctx, 1)
        if r < 0.45:
            return ('bin', 'IN', ('bin', 'MOD', self.int_expr(ctx, 1), ('lit', 64)), self.set_expr(ctx, 0))
        if r < 0.52 and ctx.bools:
            return ('var', self.pick(ctx.bools))
        if r < 0.56 and ctx.rec is not None:
            return ('field', ctx.rec[0], 'flag')
        if r < 0.62:
            return ('not', self.bool_expr(ctx, depth - 1))
        if r < 0.8:
            op = self.pick(['AND', 'OR'])
            a = self.bool_expr(ctx, depth - 1)
            for _ in range(6):
                b = self.bool_expr(ctx, depth - 1)
                if self.compatible_operands(a, b):
                    return ('bin', op, a, b)
            return a
        if r < 0.87 and ctx.ncalls < 6:
            p = self.earlier(('fbool',))
            if p is not None:
                ctx.ncalls += 1
                return ('call', p.name, self.call_args(ctx, p))
        if r < 0.94 and (ctx.enum is not None or ctx.rec is not None):
            e, ei = self.any_enum_expr(ctx)
            return ('bin', self.pick(['=', '#']), e, ('enumval', 'Color%d' % ei, self.pick(self.enums[ei])))
        sv = ('var', self.pick(ctx.sets)) if ctx.sets and self.chance(0.7) else ('var', 'gSet')
        return ('bin', self.pick(['S=', 'S#']), sv, ('setc', []))

    REL_OPS = ('=', '#', '<', '<=', '>', '>=', 'S=', 'S#')

    def constant_side(self, e):
        return e[0] in ('lit', 'const', 'enumval', 'setc', 'bool') or (e[0] == 'neg' and e[1][0] in ('lit', 'const'))

    def rel_key(self, e):
        """For `v op constant` (either order), the text of v; else None."""
        if e[0] == 'bin' and e[1] in self.REL_OPS:
            if self.constant_side(e[3]):
                return self.m3.x(e[2])
            if self.constant_side(e[2]):
                return self.m3.x(e[3])
        return None

    def compatible_operands(self, a, b):
        """False for `e AND e` and for `v = 1 OR v # 2` shapes, which clang flags (-Wtautological-overlap-compare)."""
        if self.m3.x(a) == self.m3.x(b):
            return False
        ka, kb = self.rel_key(a), self.rel_key(b)
        return ka is None or ka != kb

    def call_args(self, ctx, p):
        k = p.kind
        if k == 'fint' or k == 'fenum':
            return [self.int_expr(ctx, 1, no_calls=True), self.int_expr(ctx, 1, no_calls=True)]
        if k == 'fbool':
            return [self.int_expr(ctx, 1, no_calls=True), self.set_expr(ctx, 0)]
        if k == 'prec':
            return [('addr', self.rec_designator(ctx, p.rec)), self.int_expr(ctx, 1, no_calls=True)]
        if k == 'pacc':
            return [('addr', self.int_lvalue(ctx)), self.int_expr(ctx, 1, no_calls=True),
                    self.int_expr(ctx, 0)]
        raise ValueError(k)

    # ---------------------------------------------------------------- statements
    def simple_stmt(self, ctx):
        r = self.rng.random()
        if r < 0.28:
            lv = self.int_lvalue(ctx)
            for _ in range(4):
                e = self.int_expr(ctx, 2)
                if self.m3.x(e) != self.m3.x(lv):
                    return ('assign', lv, e)
            return ('assign', lv, ('bin', '+', e, ('lit', 1)))
        if r < 0.4:
            lv = self.int_lvalue(ctx)
            kind = self.pick(['inc', 'inc', 'dec'])
            return (kind, lv, None if self.chance(0.5) else self.int_expr(ctx, 1))
        if r < 0.48 and ctx.bools:
            return self.assign(('var', self.pick(ctx.bools)), lambda: self.bool_expr(ctx, 2))
        if r < 0.55:
            if ctx.sets and self.chance(0.6):
                lv = ('var', self.pick(ctx.sets))
            elif ctx.rec is not None:
                lv = ('field', ctx.rec[0], 'tags')
            else:
                lv = ('var', 'gSet')
            return ('assign', lv, ('bin', self.pick(['S+', 'S-', 'S*']), lv, self.set_expr(ctx, 1)))
        if r < 0.6 and ctx.rec is not None:
            return self.assign(('field', ctx.rec[0], 'flag'), lambda: self.bool_expr(ctx, 1))
        if r < 0.65 and ctx.enum is not None:
            return self.assign(ctx.enum[0], lambda: self.enum_expr(ctx, ctx.enum[1]))
        if r < 0.85 and ctx.ncalls < 6:
            p = self.earlier(('prec', 'pacc'))
            if p is not None:
                ctx.ncalls += 1
                return ('call', p.name, self.call_args(ctx, p))
        if r < 0.95 and ctx.ncalls < 6:
            p = self.earlier(('fint', 'fbool', 'fenum'))
            if p is not None:
                ctx.ncalls += 1
                return ('eval', ('call', p.name, self.call_args(ctx, p)))
        lv = self.int_lvalue(ctx)
        return ('assign', lv, ('bin', '+', lv, self.int_expr(ctx, 1)))

    def assign(self, lv, make):
        """lv := make(), never a self-assignment (which C's -Wself-assign would flag)."""
        target = self.m3.x(lv)
        for _ in range(6):
            e = make()
            if self.m3.x(e) != target:
                return ('assign', lv, e)
        return ('inc', ('var', 'gCount'), None)

    def block(self, ctx, depth, n):
        return [self.stmt(ctx, depth) for _ in range(n)]

    def early_return(self, ctx):
        k = ctx.kind
        if k == 'fint':
            return ('return', self.int_expr(ctx, 1))
        if k == 'fbool':
            return ('return', self.bool_expr(ctx, 1))
        if k == 'fenum':
            return ('return', self.enum_expr(ctx, ctx.proc.enum))
        if k in ('prec', 'pacc'):
            return ('return', None)
        return None

    def with_loop_var(self, ctx, name, fn):
        ctx.loop_vars.append(name)
        try:
            return fn()
        finally:
            ctx.loop_vars.pop()

    def stmt(self, ctx, depth):
        r = self.rng.random()
        if depth >= MAX_DEPTH or r < 0.6:
            return self.simple_stmt(ctx)
        rr = self.rng.random()
        n = lambda: self.rng.randrange(1, 4 if depth == 0 else 3)
        if rr < 0.25:
            arms = [(self.bool_expr(ctx, 2), self.block(ctx, depth + 1, n()))]
            for _ in range(self.rng.randrange(0, 3)):
                arms.append((self.bool_expr(ctx, 2), self.block(ctx, depth + 1, n())))
            els = self.block(ctx, depth + 1, n()) if self.chance(0.5) else None
            if ctx.kind != 'main' and self.chance(0.12):
                arms[0][1].append(self.early_return(ctx))
            return ('if', arms, els)
        if rr < 0.35:
            w = 'w%d' % depth
            cond = ('bin', '<', ('var', w), ('lit', self.rng.randrange(4, 20)))
            if self.chance(0.5):
                cond = ('bin', 'AND', cond, self.bool_expr(ctx, 1))
            body = self.with_loop_var(ctx, w, lambda: self.block(ctx, depth + 1, n()))
            body.append(('inc', ('var', w), None))
            return ('block', [('assign', ('var', w), ('lit', 0)), ('while', cond, body)])
        if rr < 0.5:
            v = FOR_VARS[depth]
            r2 = self.rng.random()
            if r2 < 0.4:
                lo, hi, step = ('lit', 0), ('bin', '-', ('const', self.pick(self.consts)[0]), ('lit', 1)), 1
            elif r2 < 0.7:
                lo, hi, step = ('lit', 0), ('bin', 'MOD', self.int_expr(ctx, 1, no_calls=True),
                                            ('lit', self.rng.randrange(5, 30))), 1
            elif r2 < 0.85:
                lo, hi, step = ('lit', self.rng.randrange(10, 40)), ('lit', 0), self.pick([-1, -2, -3])
            else:
                lo, hi, step = ('lit', 1), ('const', self.pick(self.consts)[0]), self.pick([2, 3, 4])
            body = self.with_loop_var(ctx, v, lambda: self.block(ctx, depth + 1, n()))
            return ('for', v, lo, hi, step, body)
        if rr < 0.57:
            w = 'w%d' % depth
            body = self.with_loop_var(ctx, w, lambda: self.block(ctx, depth + 1, n()))
            body.append(('inc', ('var', w), None))
            cond = ('bin', '>=', ('var', w), ('lit', self.rng.randrange(3, 12)))
            if self.chance(0.4):
                cond = ('bin', 'OR', cond, self.bool_expr(ctx, 1))
            return ('block', [('assign', ('var', w), ('lit', 0)), ('repeat', body, cond)])
        if rr < 0.62:
            w = 'w%d' % depth
            before = self.with_loop_var(ctx, w, lambda: self.block(ctx, depth + 1, n()))
            ex = ('if', [(('bin', 'OR', ('bin', '>', ('var', w), ('lit', self.rng.randrange(5, 30))),
                           self.bool_expr(ctx, 1)), [('exit',)])], None)
            body = before + [('inc', ('var', w), None), ex]
            return ('block', [('assign', ('var', w), ('lit', 0)), ('loop', body)])
        if rr < 0.85:
            # 2-4 arms of single labels, ranges and label lists; the values left over go to ELSE.
            m = self.pick([4, 8, 8, 16])
            sel = ('bin', 'MOD', self.int_expr(ctx, 1), ('lit', m))
            narms = self.rng.randrange(2, 5)
            arms = []
            v = 0
            while v < m and len(arms) < narms:
                ln = self.rng.randrange(1, max(2, m // 3))
                hi = min(m - 1, v + ln - 1)
                lab = ('int', v, hi)
                if arms and self.chance(0.2):
                    arms[-1][0].append(lab)
                else:
                    arms.append(([lab], None))
                v = hi + 1 + (1 if self.chance(0.3) else 0)
            arm_n = lambda: self.rng.randrange(1, 3 if depth == 0 else 2)
            arms = [(labs, self.block(ctx, depth + 1, arm_n())) for labs, _ in arms]
            return ('case', sel, arms, self.block(ctx, depth + 1, 1))
        e, ei = self.any_enum_expr(ctx)
        members = list(self.enums[ei])
        arms = []
        i = 0
        arm_n = lambda: self.rng.randrange(1, 3 if depth == 0 else 2)
        while i < len(members) and len(arms) < 4:
            take = self.rng.randrange(1, 3)
            group = members[i:i + take]
            i += take
            if self.chance(0.75) or not arms:
                arms.append(([('enum', 'Color%d' % ei, m) for m in group], self.block(ctx, depth + 1, arm_n())))
        return ('case', e, arms, self.block(ctx, depth + 1, 1))

    # ---------------------------------------------------------------- procedures
    def make_proc(self, idx):
        r = self.rng.random()
        name = 'P%d' % idx
        if r < 0.4:
            p = Proc(name, 'fint')
        elif r < 0.55:
            p = Proc(name, 'fbool')
        elif r < 0.65:
            p = Proc(name, 'fenum', enum=self.rng.randrange(self.n_enum))
        elif r < 0.85:
            p = Proc(name, 'prec', rec=self.rng.randrange(self.n_rec))
        else:
            p = Proc(name, 'pacc')
        ctx = Ctx()
        ctx.kind = p.kind
        ctx.proc = p
        ints = ['x', 'y'] + INT_LOCAL_POOL[:self.rng.randrange(0, len(INT_LOCAL_POOL) + 1)]
        if p.kind in ('fint', 'fenum'):
            params = ['a', 'b']
        elif p.kind == 'fbool':
            params = ['a']
            ctx.sets.append('m')
        elif p.kind == 'prec':
            params = ['n']
        else:
            params = ['a', 'b']
        ctx.int_read = ints + params + (['acc'] if p.kind == 'pacc' else []) + ['gSink', 'gCount']
        ctx.int_assign = ints + (['acc'] if p.kind == 'pacc' else [])
        ctx.bools = ['ok', 'gFlag']
        ctx.sets.append('s')
        if p.kind == 'prec':
            ri = p.rec
            ctx.rec = (('var', 'r'), ri)
        else:
            ri = self.rng.randrange(self.n_rec)
            ctx.rec = (('var', 'r'), ri)
        ei = p.enum if p.kind == 'fenum' else self.rng.randrange(self.n_enum)
        ctx.enum = (('var', 'c'), ei)
        ptrs = {'r'} if p.kind == 'prec' else ({'acc'} if p.kind == 'pacc' else set())
        self.m3.ptrs = ptrs
        self.c.ptrs = ptrs

        target = self.rng.randrange(20, 41)
        body = []
        used = 12  # header, locals, epilogue
        while used < target:
            for attempt in range(6):
                saved_calls = ctx.ncalls
                ss = self.flatten([self.stmt(ctx, 0)])
                n = len(self.m3.stmts(ss, 0))
                if used + n <= target + 4 or attempt == 5:
                    break
                ctx.ncalls = saved_calls
            if used + n > target + 4:
                ss = [self.simple_stmt(ctx)]
                n = 1
            body.extend(ss)
            used += n

        # Epilogue: reads every local so that C's -Wunused(-but-set)-variable stays quiet.
        e = ctx.enum[1]
        guard = ('bin', 'AND', ('bin', 'AND', ('var', 'ok'),
                                ('bin', '#', ('var', 'c'), ('enumval', 'Color%d' % e, self.enums[e][0]))),
                 ('bin', 'IN', ('bin', 'MOD', ('var', 'x'), ('lit', 64)), ('var', 's')))
        body.append(('if', [(guard, [('inc', ('var', 'x'), ('field', ('var', 'r'), 'id'))])], None))
        total = ('var', ints[0])
        for v in ints[1:] + ['w0', 'w1', 'w2']:
            total = ('bin', '+', total, ('var', v))
        if p.kind == 'fint':
            body.append(('return', total))
        elif p.kind == 'fbool':
            body.append(('return', ('bin', 'OR', ('var', 'ok'), ('bin', '>', total, ('field', ('var', 'r'), 'count')))))
        elif p.kind == 'fenum':
            body.append(('if', [(('bin', '>', total, ('lit', 100)),
                                 [('assign', ('var', 'c'), ('enumval', 'Color%d' % e, self.enums[e][-1]))])], None))
            body.append(('return', ('var', 'c')))
        elif p.kind == 'pacc':
            body.append(('inc', ('var', 'acc'), total))
        else:
            body.append(('assign', ('var', 'gSink'), ('bin', '+', ('var', 'gSink'), total)))

        m3 = self.m3_proc(p, ints, ri, ei, body)
        c = self.c_proc(p, ints, ri, ei, body)
        self.procs.append(p)
        return m3, c

    def flatten(self, ss):
        out = []
        for s in ss:
            if s[0] == 'block':
                out.extend(self.flatten(s[1]))
            else:
                out.append(self.deep_flatten(s))
        return out

    def deep_flatten(self, s):
        k = s[0]
        f = self.flatten
        if k == 'if':
            return ('if', [(c, f(b)) for c, b in s[1]], None if s[2] is None else f(s[2]))
        if k == 'while':
            return ('while', s[1], f(s[2]))
        if k == 'for':
            return ('for', s[1], s[2], s[3], s[4], f(s[5]))
        if k == 'repeat':
            return ('repeat', f(s[1]), s[2])
        if k == 'loop':
            return ('loop', f(s[1]))
        if k == 'case':
            return ('case', s[1], [(l, f(b)) for l, b in s[2]], f(s[3]))
        return s

    def m3_proc(self, p, ints, ri, ei, body):
        sig = {
            'fint': '(a, b: INTEGER): INTEGER',
            'fbool': '(a: INTEGER; m: Set64): BOOLEAN',
            'fenum': '(a, b: INTEGER): Color%d' % ei,
            'prec': '(VAR r: Rec%d; n: INTEGER)' % ri,
            'pacc': '(VAR acc: INTEGER; a, b: INTEGER)',
        }[p.kind]
        what = {'fint': 'integer function', 'fbool': 'predicate', 'fenum': 'classifier',
                'prec': 'record update', 'pacc': 'accumulator'}[p.kind]
        out = ['(* %s: %s *)' % (p.name, what), 'PROCEDURE %s%s =' % (p.name, sig), '  VAR']
        out.append('    %s: INTEGER := 0;' % ', '.join(ints))
        out.append('    w0, w1, w2: INTEGER := 0;')
        out.append('    ok: BOOLEAN := FALSE;')
        out.append('    s: Set64 := Set64{};')
        out.append('    c: Color%d := Color%d.%s;' % (ei, ei, self.enums[ei][0]))
        if p.kind != 'prec':
            out.append('    r: Rec%d := gRec%d;' % (ri, ri))
        out.append('  BEGIN')
        out.extend(self.m3.stmts(body, 2))
        out.append('  END %s;' % p.name)
        out.append('')
        return out

    def c_proc(self, p, ints, ri, ei, body):
        sig = {
            'fint': 'long %s(long a, long b)',
            'fbool': '_Bool %s(long a, Set64 m)',
            'fenum': 'Color%d %%s(long a, long b)' % ei,
            'prec': 'void %%s(Rec%d *r, long n)' % ri,
            'pacc': 'void %s(long *acc, long a, long b)',
        }[p.kind] % p.name
        what = {'fint': 'integer function', 'fbool': 'predicate', 'fenum': 'classifier',
                'prec': 'record update', 'pacc': 'accumulator'}[p.kind]
        out = ['/* %s: %s */' % (p.name, what), sig + ' {']
        out.append('  long %s;' % ', '.join(v + ' = 0' for v in ints))
        out.append('  long w0 = 0, w1 = 0, w2 = 0;')
        out.append('  _Bool ok = 0;')
        out.append('  Set64 s = 0ULL;')
        out.append('  Color%d c = Color%d_%s;' % (ei, ei, self.enums[ei][0]))
        if p.kind != 'prec':
            out.append('  Rec%d r = gRec%d;' % (ri, ri))
        out.extend(self.c.stmts(body, 1))
        out.append('}')
        out.append('')
        return out

    # ---------------------------------------------------------------- declarations
    def m3_decls(self):
        out = ['(* BenchGen: generated by bench/gen_frontend_program.py -- a front-end benchmark input. *)',
               'MODULE BenchGen;', '', 'IMPORT IO;', '', 'CONST']
        for n, v in self.consts:
            out.append('  %s = %d;' % (n, v))
        for i, sz in enumerate(self.arr_sizes):
            out.append('  SizeA%d = %d;' % (i, sz))
        out.append('  RecsN = 32;')
        out += ['', 'TYPE', '  Set64 = SET OF [0..63];']
        for i, ms in enumerate(self.enums):
            out.append('  Color%d = {%s};' % (i, ', '.join(ms)))
        for i, rec in enumerate(self.recs):
            out.append('  Rec%d = RECORD' % i)
            out.append('    %s: INTEGER;' % ', '.join(rec['ints']))
            out.append('    flag: BOOLEAN;')
            out.append('    kind: Color%d;' % rec['enum'])
            out.append('    tags: Set64;')
            if rec['link'] is not None:
                out.append('    link: Rec%d;' % rec['link'])
            out.append('  END;')
        for i in range(self.n_arr):
            out.append('  Vec%d = ARRAY [0..SizeA%d - 1] OF INTEGER;' % (i, i))
        for i in range(self.n_rec):
            out.append('  RecArr%d = ARRAY [0..RecsN - 1] OF Rec%d;' % (i, i))
        out += ['', 'CONST']
        for i, items in enumerate(self.masks):
            out.append('  Mask%d = %s;' % (i, self.m3.x(('setc', items))))
        out += ['', 'VAR']
        for i in range(self.n_arr):
            out.append('  gA%d: Vec%d;' % (i, i))
        for i in range(self.n_rec):
            out.append('  gRecs%d: RecArr%d;' % (i, i))
            out.append('  gRec%d: Rec%d;' % (i, i))
        out.append('  gSink, gCount: INTEGER := 0;')
        out.append('  gFlag: BOOLEAN := FALSE;')
        out.append('  gSet: Set64 := Set64{};')
        out.append('')
        return out

    def c_decls(self):
        out = ['/* BenchGen: generated by bench/gen_frontend_program.py -- the C twin of BenchGen.spx. */',
               'void io_put_int(long);', 'void io_put(const char*);', '',
               'static inline long m3_div(long a, long b) {', '  long q = a / b;',
               '  if (a % b != 0 && ((a < 0) != (b < 0))) {', '    q--;', '  }', '  return q;', '}', '',
               'static inline long m3_mod(long a, long b) {', '  long r = a % b;',
               '  if (r != 0 && ((r < 0) != (b < 0))) {', '    r += b;', '  }', '  return r;', '}', '',
               'enum {']
        for n, v in self.consts:
            out.append('  %s = %d,' % (n, v))
        for i, sz in enumerate(self.arr_sizes):
            out.append('  SizeA%d = %d,' % (i, sz))
        out.append('  RecsN = 32')
        out += ['};', '', 'typedef unsigned long long Set64;']
        for i, ms in enumerate(self.enums):
            out.append('typedef enum { %s } Color%d;' % (', '.join('Color%d_%s' % (i, m) for m in ms), i))
        for i, rec in enumerate(self.recs):
            out.append('typedef struct Rec%d {' % i)
            out.append('  long %s;' % ', '.join(rec['ints']))
            out.append('  _Bool flag;')
            out.append('  Color%d kind;' % rec['enum'])
            out.append('  Set64 tags;')
            if rec['link'] is not None:
                out.append('  struct Rec%d link;' % rec['link'])
            out.append('} Rec%d;' % i)
        for i in range(self.n_arr):
            out.append('typedef long Vec%d[SizeA%d];' % (i, i))
        for i in range(self.n_rec):
            out.append('typedef Rec%d RecArr%d[RecsN];' % (i, i))
        out.append('')
        for i, items in enumerate(self.masks):
            out.append('const Set64 Mask%d = %s;' % (i, self.c.x(('setc', items))))
        out.append('')
        for i in range(self.n_arr):
            out.append('Vec%d gA%d;' % (i, i))
        for i in range(self.n_rec):
            out.append('RecArr%d gRecs%d;' % (i, i))
            out.append('Rec%d gRec%d;' % (i, i))
        out.append('long gSink = 0, gCount = 0;')
        out.append('_Bool gFlag = 0;')
        out.append('Set64 gSet = 0ULL;')
        out.append('')
        return out

    # ---------------------------------------------------------------- module body
    def main_body(self, budget):
        ctx = Ctx()
        ctx.kind = 'main'
        ctx.int_read = ['gSink', 'gCount']
        ctx.int_assign = ['gSink', 'gCount']
        ctx.bools = ['gFlag']
        ctx.sets = ['gSet']
        ctx.rec = (('var', 'gRec0'), 0)
        ctx.enum = None
        self.m3.ptrs = set()
        self.c.ptrs = set()
        body = [('put', 'BenchGen start'), ('assign', ('var', 'gSink'), ('lit', 0))]
        for a in range(self.n_arr):
            body.append(('for', 'i', ('lit', 0), ('bin', '-', ('const', 'SizeA%d' % a), ('lit', 1)), 1,
                         [('assign', ('idx', ('var', 'gA%d' % a), ('var', 'i')),
                           ('bin', 'MOD', ('bin', '*', ('var', 'i'), ('lit', 7)), ('lit', 13)))]))
        for ri in range(self.n_rec):
            body.append(('for', 'i', ('lit', 0), ('bin', '-', ('const', 'RecsN'), ('lit', 1)), 1,
                         [('assign', ('field', ('idx', ('var', 'gRecs%d' % ri), ('var', 'i')), 'id'), ('var', 'i'))]))
        used = sum(len(self.m3.stmt(s, 0)) for s in body) + 6
        callable_ = list(self.procs)
        step = max(1, len(callable_) // max(1, (budget - used) // 3))
        for idx in range(0, len(callable_), step):
            if used >= budget:
                break
            p = callable_[idx]
            ctx.ncalls = 0
            args = self.call_args(ctx, p)
            if p.kind == 'fint':
                body.append(('assign', ('var', 'gSink'), ('bin', '+', ('var', 'gSink'), ('call', p.name, args))))
            elif p.kind == 'fbool':
                body.append(('if', [(('call', p.name, args), [('inc', ('var', 'gCount'), None)])], None))
            elif p.kind == 'fenum':
                body.append(('assign', ('var', 'gSink'), ('bin', '+', ('var', 'gSink'),
                                                          ('ord', ('call', p.name, args)))))
            else:
                body.append(('call', p.name, args))
            body.append(('putint', ('var', 'gSink')))
            body.append(('put', ''))
            used += 3 if p.kind == 'fbool' else 1
            used += 2
        body.append(('putint', ('var', 'gCount')))
        body.append(('put', 'BenchGen done'))
        return body

    def generate(self):
        m3_head = self.m3_decls()
        c_head = self.c_decls()
        main_budget = max(20, self.target // 30)
        m3_procs, c_procs = [], []
        lines = len(m3_head) + main_budget
        idx = 0
        while lines < self.target or idx == 0:
            m, c = self.make_proc(idx)
            m3_procs.extend(m)
            c_procs.extend(c)
            lines += len(m)
            idx += 1
        body = self.main_body(main_budget)
        m3 = m3_head + m3_procs + ['BEGIN'] + self.m3.stmts(body, 1) + ['END BenchGen.']
        c = c_head + c_procs + ['int main(void) {'] + self.c.stmts(body, 1) + ['  return 0;', '}']
        return '\n'.join(m3) + '\n', '\n'.join(c) + '\n'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--lines', type=int, default=50000, help='approximate number of .spx lines (default 50000)')
    ap.add_argument('--seed', type=int, default=20240917, help='random seed (default fixed)')
    ap.add_argument('-o', '--output', default='-', help='.spx output file (default stdout)')
    ap.add_argument('--c', dest='c_out', metavar='OUT.c', help='also write the same program in C here')
    args = ap.parse_args()
    if args.lines < 100:
        ap.error('--lines must be at least 100')
    m3, c = Gen(args.lines, args.seed).generate()
    if args.output == '-':
        sys.stdout.write(m3)
    else:
        with open(args.output, 'w') as f:
            f.write(m3)
    if args.c_out:
        with open(args.c_out, 'w') as f:
            f.write(c)


if __name__ == '__main__':
    main()
