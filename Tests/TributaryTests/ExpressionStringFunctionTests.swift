@testable import Tributary
import Testing

@Suite struct StringFunctionTests {
    @Test(arguments: [
        ("lower('HeLLo É')", FieldValue.string("hello é")),
        ("upper('straße')", .string("STRASSE")),
        ("lower('ABC def 09')", .string("abc def 09")),
        ("lower('abc')", .string("abc")),
        ("upper('abc Z')", .string("ABC Z")),
        ("trim(' é ')", .string("é")),
        ("trim('\u{00A0}nbsp\u{00A0}')", .string("nbsp")),
        ("trim('  a b \t\n')", .string("a b")),
        ("trim('\u{3000}x\u{3000}')", .string("x")),
        ("trim('   ')", .string("")),
        ("trim('abc')", .string("abc")),
        ("length('héllo')", .int(5)),
        ("length('🇫🇷e\u{301}')", .int(2)),
        ("length('')", .int(0)),
        ("concat('a', 1, 2.5, true, null, 'z')", .string("a12.5truez")),
        ("concat(null)", .string("")),
        ("concat(to_timestamp(0))", .string("1970-01-01T00:00:00.000Z")),
        ("substring('hello', 2)", .string("ello")),
        ("substring('hello', 2, 3)", .string("ell")),
        ("substring('hello', 0, 3)", .string("he")),
        ("substring('hello', -5, 3)", .string("")),
        ("substring('hello', 4, 100)", .string("lo")),
        ("substring('hello', 9)", .string("")),
        ("substring('hello', 2, -1)", .string("")),
        ("substring('héllo', 2, 1)", .string("é")),
        ("substring('hello', 1, 9223372036854775807)", .string("hello")),
        ("replace('a-b-c', '-', '+')", .string("a+b+c")),
        ("replace('aaa', 'aa', 'b')", .string("ba")),
        ("replace('abc', '', 'x')", .string("abc")),
        ("replace('abc', 'z', 'x')", .string("abc")),
        ("starts_with('hello', 'he')", .bool(true)),
        ("starts_with('hello', 'lo')", .bool(false)),
        ("ends_with('hello', 'lo')", .bool(true)),
        ("ends_with('hello', '')", .bool(true)),
        ("contains('hello', 'ell')", .bool(true)),
        ("contains('hello', 'xyz')", .bool(false)),
        (#"matches('order-123', '\d+$')"#, .bool(true)),
        ("matches('order-abc', '^order-[0-9]+$')", .bool(false)),
        ("matches('ABC', '(?i)abc')", .bool(true)),
        ("split_part('a,b,,c', ',', 1)", .string("a")),
        ("split_part('a,b,,c', ',', 3)", .string("")),
        ("split_part('a,b,,c', ',', 4)", .string("c")),
        ("split_part('a,b,,c', ',', 5)", .string("")),
        ("split_part('a,b,,c', ',', -1)", .string("c")),
        ("split_part('a,b,,c', ',', -4)", .string("a")),
        ("split_part('a,b,,c', ',', -5)", .string("")),
        ("split_part('a::b', '::', 2)", .string("b")),
        ("split_part('abc', '', 1)", .string("abc")),
        ("split_part('abc', '', 2)", .string("")),
    ])
    func happyPaths(source: String, expected: FieldValue) throws {
        #expect(try evaluate(source) == expected)
    }

    @Test func nullArguments() throws {
        for source in [
            "lower(page)", "upper(page)", "trim(page)", "length(page)", "substring(page, 1)", "substring('a', i)",
            "substring('a', 1, i)", "replace(page, 'a', 'b')", "replace('a', page, 'b')", "starts_with(page, 'a')",
            "ends_with('a', page)", "contains(page, 'a')", "matches(page, 'a')", "split_part(page, ',', 1)",
            "split_part('a', ',', i)",
        ] {
            #expect(try evaluate(source) == .null, "\(source)")
        }
    }

    @Test("a literal null after the first argument gives null, also when the first is not null")
    func literalNullArguments() throws {
        // Literal arguments after the first are captured at compile time unless they are null:
        // a captured null would reach the function as if it were a value.
        for source in ["substring(page, null)", "substring(page, 1, null)", "replace(page, null, 'b')",
                       "replace(page, 'a', null)", "starts_with(page, null)", "split_part(page, null, 1)"] {
            #expect(try evaluate(source, ["page": .string("a,b")]) == .null, "\(source)")
        }
        // The same functions with every literal set, on the same row, give their values.
        #expect(try evaluate("substring(page, 1, 1)", ["page": .string("a,b")]) == .string("a"))
        #expect(try evaluate("replace(page, ',', ';')", ["page": .string("a,b")]) == .string("a;b"))
        #expect(try evaluate("split_part(page, ',', 2)", ["page": .string("a,b")]) == .string("b"))
    }

    @Test func splitPartZeroIsARuntimeError() throws {
        #expect(try runtimeError("split_part(page, ',', i)", ["page": .string("a"), "i": .int(0)])
                == "field position must not be zero in 'split_part(page, ',', i)'")
    }

    @Test func errors() {
        #expect(compileError("lower(1)")?.message == "argument 1 of lower(s: string) must be string, got int")
        #expect(compileError("lower(1)")?.column == 7)
        #expect(compileError("lower('a', 'b')")?.message == "lower(s: string) takes 1 argument, got 2")
        #expect(compileError("substring('a')")?.message
                == "substring(s: string, start: int[, length: int]) takes 2 or 3 arguments, got 1")
        #expect(compileError("substring('a', '1')")?.message
                == "argument 2 of substring(s: string, start: int[, length: int]) must be int, got string")
        #expect(compileError("concat()")?.message == "concat(value: any, ...) takes at least 1 argument, got 0")
        #expect(compileError("replace('a', 'b')")?.message
                == "replace(s: string, from: string, to: string) takes 3 arguments, got 2")
        #expect(compileError("starts_with('a', 1)")?.message
                == "argument 2 of starts_with(s: string, prefix: string) must be string, got int")
        #expect(compileError("ends_with(1, 'a')")?.message
                == "argument 1 of ends_with(s: string, suffix: string) must be string, got int")
        #expect(compileError("contains('a')")?.message == "contains(s: string, part: string) takes 2 arguments, got 1")
        #expect(compileError("length(x)")?.message == "argument 1 of length(s: string) must be string, got double")
        #expect(compileError("trim(ok)")?.message == "argument 1 of trim(s: string) must be string, got bool")
        #expect(compileError("upper('a', 'b')")?.message == "upper(s: string) takes 1 argument, got 2")
        #expect(compileError("upper(event_time)")?.message
                == "argument 1 of upper(s: string) must be string, got timestamp")
        #expect(compileError("split_part('a', ',', '1')")?.message
                == "argument 3 of split_part(s: string, delimiter: string, n: int) must be int, got string")
    }

    @Test func matchesPatternErrors() throws {
        let bad = compileError("matches(page, '(unclosed')")
        #expect(bad?.message == "invalid regular expression '(unclosed'")
        #expect(bad?.column == 15)
        #expect(bad?.token == "'(unclosed'")
        let dynamic = compileError("matches(page, s)")
        #expect(dynamic?.message == "the pattern of matches() must be a string literal")
        #expect(dynamic?.column == 15)
        #expect(try evaluate("matches(page, '[0-9]' || '+')", ["page": .string("a1")]) == .bool(true))
    }
}
