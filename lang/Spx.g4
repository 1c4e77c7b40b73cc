// Spx.g4 — the concrete syntax of SPINE's extension language (.spx / .spi).
//
// It is Modula-3's syntax for the subset SPINE supports, so plain Modula-3 that uses only that subset parses
// unchanged. SPINE's additions add no keywords:
//   * VIEW(bytes, T) is a predeclared function, parsed as an ordinary call;
//   * events, handlers, guards and message interfaces are pragmas (<*EVENT*>, <*HANDLER E GUARD G*>,
//     <*MESSAGES*>, <*NETORDER*>), which live on the PRAGMAS channel and are read by the AST builder from the
//     tokens in front of the declaration they annotate. A Modula-3 compiler ignores them.
//
// The grammar is written to be SLL-friendly (no ambiguity that needs full-context prediction in valid input),
// because the parser first tries the fast SLL mode and falls back to LL only on a syntax error.
// Precedence follows the Modula-3 report (see `expr`).
grammar Spx;

// ---------------------------------------------------------------- units

compilationUnit
    : (interfaceUnit | moduleUnit) EOF
    ;

interfaceUnit
    : interfaceHeader declaration* END endName=ID '.'
    ;

moduleUnit
    : moduleHeader block endName=ID '.'
    ;

interfaceHeader
    : UNSAFE? INTERFACE name=ID ';' importItem*
    ;

moduleHeader
    : UNSAFE? MODULE name=ID (EXPORTS idList)? ';' importItem*
    ;

// Entry points for reading a unit one top-level declaration at a time: unitHeader, then `declaration` while
// one starts, then unitTail. The parser keeps only the current declaration's parse tree, which is what keeps
// memory flat on large files (see compiler/parse/Parser.cpp). compilationUnit describes the same language.
unitHeader
    : interfaceHeader
    | moduleHeader
    ;

unitTail
    : (BEGIN statements)? END endName=ID '.' EOF
    ;

importItem
    : IMPORT importName (',' importName)* ';'           # importModules
    | FROM ID IMPORT idList ';'                         # importFrom
    ;

importName
    : ID (AS ID)?
    ;

block
    : declaration* BEGIN statements END
    ;

// ---------------------------------------------------------------- declarations

declaration
    : CONST (constDecl ';')*                            # constSection
    | TYPE (typeDecl ';')*                              # typeSection
    | VAR (varDecl ';')*                                # varSection
    | EXCEPTION (exceptionDecl ';')*                    # exceptionSection
    | procedureDecl ';'                                 # procedureSection
    | REVEAL (revealDecl ';')*                          # revealSection
    ;

constDecl
    : ID (':' type)? '=' expr
    ;

typeDecl
    : ID op=('=' | '<:') type
    ;

varDecl
    : idList (':' type)? (':=' expr)?
    ;

exceptionDecl
    : ID ('(' type ')')?
    ;

revealDecl
    : qualId op=('=' | '<:') type
    ;

procedureDecl
    : PROCEDURE name=ID signature ('=' block endName=ID)?
    ;

signature
    : '(' formals? ')' (':' type)? (RAISES raisesSet)?
    ;

formals
    : formal (';' formal)* ';'?
    ;

formal
    : passMode=(VALUE | VAR | READONLY)? idList (':' type)? (':=' expr)?
    ;

raisesSet
    : '{' (qualId (',' qualId)*)? '}'
    | ANY
    ;

// ---------------------------------------------------------------- types

type
    : qualId                                            # namedType
    | '{' idList? '}'                                   # enumType
    | '(' type ')'                                      # parenType
    | anonType                                          # anonTypeAlt
    ;

// Type constructors that cannot be mistaken for an expression, so that they may also stand as an actual
// parameter where a builtin takes a type: NEW(REF ARRAY OF INTEGER, n), BITSIZE(BITS 4 FOR [0..15]).
anonType
    : '[' expr '..' expr ']'                            # subrangeType
    | SET OF type                                       # setType
    | ARRAY (type (',' type)*)? OF type                 # arrayType
    | RECORD fields END                                 # recordType
    | BITS expr FOR type                                # packedType
    | UNTRACED? brand? REF type                         # refType
    | PROCEDURE signature                               # procedureType
    ;

brand
    : BRANDED TEXT_LIT?
    ;

fields
    : (field (';' field)* ';'?)?
    ;

field
    : idList (':' type)? (':=' expr)?
    ;

// ---------------------------------------------------------------- statements

statements
    : statement? (';' statement?)*
    ;

statement
    : expr (':=' expr)?                                 # assignOrCallStmt
    | IF expr THEN statements (ELSIF expr THEN statements)* (ELSE statements)? END   # ifStmt
    | WHILE expr DO statements END                      # whileStmt
    | REPEAT statements UNTIL expr                      # repeatStmt
    | LOOP statements END                               # loopStmt
    | EXIT                                              # exitStmt
    | FOR ID ':=' expr TO expr (BY expr)? DO statements END   # forStmt
    | CASE expr OF ('|'? caseArm ('|' caseArm)*)? (ELSE statements)? END   # caseStmt
    | WITH withBinding (',' withBinding)* DO statements END   # withStmt
    | RETURN expr?                                      # returnStmt
    | RAISE expr                                        # raiseStmt
    | TRY statements EXCEPT ('|'? handler ('|' handler)*)? (ELSE statements)? END   # tryExceptStmt
    | TRY statements FINALLY statements END             # tryFinallyStmt
    | EVAL expr                                         # evalStmt
    | LOCK expr DO statements END                       # lockStmt
    | block                                             # blockStmt
    ;

caseArm
    : caseLabel (',' caseLabel)* '=>' statements
    ;

caseLabel
    : expr ('..' expr)?
    ;

withBinding
    : ID '=' expr
    ;

handler
    : qualId (',' qualId)* ('(' ID ')')? '=>' statements
    ;

// ---------------------------------------------------------------- expressions

// One left-recursive rule: ANTLR turns it into precedence climbing, so an operand costs one parse-tree node
// instead of one per precedence level. Alternatives are listed from the tightest binding to the loosest; a
// prefix operator's operand is parsed at that operator's level, so `-a * b` is `(-a) * b` and `NOT a = b` is
// `NOT (a = b)`, as in Modula-3. Relations are not associative in Modula-3: the AST builder rejects `a = b = c`.
// expr, selector and primary are the most frequent nodes, so their alternatives carry no labels: a labeled
// alternative makes ANTLR allocate a second context for every node. The AST builder tells the alternatives
// apart by their children.
expr
    : primary selector*
    | op=('+' | '-') expr
    | expr op=('*' | '/' | DIV | MOD) expr
    | expr op=('+' | '-' | '&') expr
    | expr op=('=' | '#' | '<' | '<=' | '>' | '>=' | IN) expr
    | op=NOT expr
    | expr op=AND expr
    | expr op=OR expr
    ;

selector
    : '^'
    | '.' ID
    | '[' expr (',' expr)* ']'
    | '(' actuals? ')'
    | '{' constructorElems? '}'
    ;

actuals
    : actual (',' actual)*
    ;

actual
    : ID ':=' expr                                      # namedActual
    | expr                                              # positionalActual
    | anonType                                          # typeActual
    ;

constructorElems
    : constructorElem (',' constructorElem)*
    ;

constructorElem
    : ID ':=' expr                                      # namedElem
    | expr ('..' expr)?                                 # plainElem
    | '..'                                              # repeatElem
    ;

primary
    : ID
    | INT_LIT
    | REAL_LIT
    | CHAR_LIT
    | TEXT_LIT
    | '(' expr ')'
    | constructibleType '{' constructorElems? '}'
    ;

// Anonymous types that a constructor may name: ARRAY OF INTEGER{1, 2}. (T{...} for a named T is a selector.)
constructibleType
    : ARRAY (type (',' type)*)? OF type                 # arrayCType
    | RECORD fields END                                 # recordCType
    | SET OF type                                       # setCType
    ;

qualId
    : ID ('.' ID)?
    ;

idList
    : ID (',' ID)*
    ;

// ---------------------------------------------------------------- lexer

AND : 'AND'; ANY : 'ANY'; ARRAY : 'ARRAY'; AS : 'AS'; BEGIN : 'BEGIN'; BITS : 'BITS'; BRANDED : 'BRANDED';
BY : 'BY'; CASE : 'CASE'; CONST : 'CONST'; DIV : 'DIV'; DO : 'DO'; ELSE : 'ELSE'; ELSIF : 'ELSIF';
END : 'END'; EVAL : 'EVAL'; EXCEPT : 'EXCEPT'; EXCEPTION : 'EXCEPTION'; EXIT : 'EXIT'; EXPORTS : 'EXPORTS';
FINALLY : 'FINALLY'; FOR : 'FOR'; FROM : 'FROM'; GENERIC : 'GENERIC'; IF : 'IF'; IMPORT : 'IMPORT'; IN : 'IN';
INTERFACE : 'INTERFACE'; LOCK : 'LOCK'; LOOP : 'LOOP'; METHODS : 'METHODS'; MOD : 'MOD'; MODULE : 'MODULE';
NOT : 'NOT'; OBJECT : 'OBJECT'; OF : 'OF'; OR : 'OR'; OVERRIDES : 'OVERRIDES'; PROCEDURE : 'PROCEDURE';
RAISE : 'RAISE'; RAISES : 'RAISES'; READONLY : 'READONLY'; RECORD : 'RECORD'; REF : 'REF'; REPEAT : 'REPEAT';
RETURN : 'RETURN'; REVEAL : 'REVEAL'; SET : 'SET'; THEN : 'THEN'; TO : 'TO'; TRY : 'TRY'; TYPE : 'TYPE';
TYPECASE : 'TYPECASE'; UNSAFE : 'UNSAFE'; UNTIL : 'UNTIL'; UNTRACED : 'UNTRACED'; VALUE : 'VALUE'; VAR : 'VAR';
WHILE : 'WHILE'; WITH : 'WITH';

ID : [a-zA-Z] [a-zA-Z0-9_]* ;

// 16_FF, 2_1010, 255. A based literal's digits are checked against its base by the AST builder.
INT_LIT : [0-9]+ ('_' [0-9a-zA-Z]+)? ;
REAL_LIT : [0-9]+ '.' [0-9]+ ([EeDdXx] [+-]? [0-9]+)? ;

// Literals lex permissively (any backslash pair); the AST builder decodes the escapes and reports a bad one at
// its exact column, which a lexer rule could not.
CHAR_LIT : '\'' ('\\' ~[\r\n] | ~['\\\r\n])* '\'' ;
TEXT_LIT : '"' ('\\' ~[\r\n] | ~["\\\r\n])* '"' ;

// Pragmas are kept (not skipped) on their own channel so that the AST builder can attach them.
PRAGMA : '<*' .*? '*>' -> channel(2) ;
COMMENT : '(*' (COMMENT | .)*? '*)' -> skip ;
WS : [ \t\r\n\f]+ -> skip ;

// Anything else becomes one token the parser cannot use, so that the error names it.
ERROR_CHAR : . ;
