#!/usr/bin/env python3
"""Writes reproducible garbage for the robustness tests (a fixed 64-bit LCG, independent of Python's random).

usage: garbage.py bytes N SEED OUT          N random bytes
       garbage.py tokens N SEED OUT [flat]  a module whose body is N random tokens of the language (16 a line); with
                                            `flat`, no token that opens or closes a nesting level
"""
import sys

TOKENS = """AND ANY ARRAY AS BEGIN BITS BRANDED BY CASE CONST DIV DO ELSE ELSIF END EVAL EXCEPT EXCEPTION EXIT
EXPORTS FINALLY FOR FROM GENERIC IF IMPORT IN INTERFACE LOCK LOOP METHODS MOD MODULE NOT OBJECT OF OR OVERRIDES
PROCEDURE RAISE RAISES READONLY RECORD REF REPEAT RETURN REVEAL SET THEN TO TRY TYPE TYPECASE UNSAFE UNTIL
UNTRACED VALUE VAR WHILE WITH + - * / & = # < <= > >= := ^ . .. , ; : | => <: ( ) [ ] { } x y 1 16_FF 'c' "t"
<*EVENT*> <*HANDLER*> VIEW NEW NIL""".split()
NESTING = set("( ) [ ] { } BEGIN END IF WHILE FOR CASE WITH TRY LOOP RECORD LOCK REPEAT UNTIL BITS PROCEDURE "
              "NOT - +".split())


def lcg(seed):
    s = seed
    while True:
        s = (s * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        yield s >> 33


def main():
    kind, n, seed, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    rnd = lcg(seed)
    if kind == "bytes":
        data = bytes(next(rnd) & 0xFF for _ in range(n))
    else:
        toks = TOKENS
        if len(sys.argv) > 5 and sys.argv[5] == "flat":
            toks = [t for t in TOKENS if t not in NESTING]
        words = [toks[next(rnd) % len(toks)] for _ in range(n)]
        # 16 tokens a line, so that each diagnostic's snippet stays short.
        body = "\n".join(" ".join(words[i:i + 16]) for i in range(0, n, 16))
        data = ("MODULE Soup;\n" + body + "\nEND Soup.\n").encode()
    with open(out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
