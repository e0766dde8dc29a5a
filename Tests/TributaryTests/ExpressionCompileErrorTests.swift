@testable import Tributary
import Testing

@Suite struct CompileErrorTests {
    /// (source, column, token, message)
    static let cases: [(String, Int, String, String)] = [
        ("", 1, "", "empty expression"),
        ("   ", 4, "", "empty expression"),
        ("lenght(page)", 1, "lenght", "unknown function 'lenght' (did you mean 'length'?)"),
        ("frobnicate(page)", 1, "frobnicate", "unknown function 'frobnicate'"),
        ("pgae = 'x'", 1, "pgae", "unknown field 'pgae' (did you mean 'page'?)"),
        ("Page = 'x'", 1, "Page", "unknown field 'Page' (did you mean 'page'?)"),
        ("zzzzzz > 1", 1, "zzzzzz", "unknown field 'zzzzzz'"),
        ("page = 1", 6, "=", "cannot compare string with int"),
        ("duration_ms < 'a'", 13, "<", "cannot compare int with string"),
        ("event_time = 5", 12, "=", "cannot compare timestamp with int"),
        ("ok < true", 4, "<", "'<' does not apply to bool values; only = and != compare them"),
        ("payload > payload", 9, ">", "'>' does not apply to json values; only = and != compare them"),
        ("event_time + 1", 12, "+",
         "operator '+' is not defined for timestamp and int; use functions such as epoch_millis() or date_trunc() on timestamps"),
        ("page * 2", 6, "*", "operator '*' is not defined for string and int"),
        ("page + 1", 6, "+", "operator '+' is not defined for string and int; convert with string() or use concat()"),
        ("1 || 'a'", 3, "||", "operator '||' is not defined for int and string; convert with string() or use concat()"),
        ("-page", 1, "-", "operator '-' is not defined for string"),
        ("ok + 1", 4, "+", "operator '+' is not defined for bool and int"),
        ("not i", 5, "i", "operand of 'not' must be bool, got int"),
        ("ok and i + 1", 8, "i + 1", "operand of 'and' must be bool, got int"),
        ("page or ok", 1, "page", "operand of 'or' must be bool, got string"),
        ("page in ['a', 1]", 15, "1", "cannot compare string with int"),
        ("page in ['a', s]", 15, "s", "elements of an 'in' list must be constants"),
        ("page in 'a'", 9, "'a'", "unexpected ''a'', expected '[' to start the list after 'in'"),
        ("99999999999999999999", 1, "99999999999999999999", "integer literal '99999999999999999999' is out of range"),
        ("-9223372036854775809", 1, "-", "integer literal '-9223372036854775809' is out of range"),
        ("1e999", 1, "1e999", "number '1e999' is out of range"),
        ("12abc", 1, "12abc", "malformed number '12abc'"),
        ("1e+", 1, "1e+", "malformed number '1e+'"),
        ("'abc", 1, "'abc", "unterminated string"),
        ("page = \"abc", 8, "\"abc", "unterminated string"),
        ("`abc", 1, "`abc", "unterminated quoted name"),
        ("``", 1, "``", "empty quoted name"),
        ("page # 1", 6, "#", "unexpected character '#'"),
        ("(1 + 2", 1, "(", "unbalanced parentheses: '(' is never closed"),
        ("lower(page", 6, "(", "unbalanced parentheses: '(' is never closed"),
        ("page in ['a'", 9, "[", "unbalanced brackets: '[' is never closed"),
        ("(1 + 2))", 8, ")", "unexpected ')' after the end of the expression"),
        ("1 + 2 3", 7, "3", "unexpected '3' after the end of the expression"),
        ("1 +", 4, "", "unexpected end of the expression, expected an operand"),
        ("1 + * 2", 5, "*", "unexpected '*', expected an operand"),
        (")", 1, ")", "unexpected ')', expected an operand"),
        ("(1 2)", 4, "2", "unexpected '2', expected an operator or ')'"),
        ("lower(page page)", 12, "page", "unexpected 'page', expected ',' or ')'"),
        ("lower(page,)", 12, ")", "unexpected ')', expected an operand"),
        ("page is 1", 9, "1", "unexpected '1', expected 'null' or 'not null'"),
        ("page is not true", 13, "true", "unexpected 'true', expected 'null'"),
        ("1 < 2 < 3", 7, "<", "comparisons cannot be chained; combine them with 'and'"),
        ("page is null = true", 14, "=", "comparisons cannot be chained; combine them with 'and'"),
        ("[1]", 1, "[", "unexpected '[', expected an operand"),
    ]

    @Test(arguments: cases)
    func compileErrors(source: String, column: Int, token: String, message: String) {
        let error = compileError(source)
        #expect(error?.message == message)
        #expect(error?.column == column)
        #expect(error?.token == token)
        #expect(error?.location == "transform[0].set.v")
    }

    @Test func descriptionPlacesTheColumn() {
        let unknown = ExpressionError(location: "transform[2].set.score", column: 7, token: "lenght",
                                      message: "unknown function 'lenght' (did you mean 'length'?)")
        #expect(unknown.description
                == "transform[2].set.score: unknown function 'lenght' (did you mean 'length'?) at column 7")
        #expect(compileError("(1 2)")?.description
                == "transform[0].set.v: unexpected '2' at column 4, expected an operator or ')'")
        #expect(compileError("1 +")?.description
                == "transform[0].set.v: unexpected end of the expression at column 4, expected an operand")
        let bare = ExpressionError(location: "", column: 1, token: "", message: "empty expression")
        #expect(bare.description == "empty expression at column 1")
        #expect(ExpressionRuntimeError(message: "division by zero in 'a / b'").description == "division by zero in 'a / b'")
    }

    @Test func didYouMean() {
        #expect(compileError("lowr(page)")?.message == "unknown function 'lowr' (did you mean 'lower'?)")
        #expect(compileError("UPPR(page)")?.message == "unknown function 'UPPR' (did you mean 'upper'?)")
        #expect(compileError("json_strin(payload)")?.message
                == "unknown function 'json_strin' (did you mean 'json_string'?)")
        #expect(compileError("tpoic()")?.message == "unknown function 'tpoic' (did you mean 'topic'?)")
        #expect(compileError("duration > 1")?.message == "unknown field 'duration'")
        #expect(compileError("duraton_ms > 1")?.message == "unknown field 'duraton_ms' (did you mean 'duration_ms'?)")
        #expect(compileError("`weird nme`")?.message == "unknown field 'weird nme' (did you mean 'weird name'?)")
        #expect(compileError("pagex", layout: plainLayout)?.message == "unknown field 'pagex' (did you mean 'page'?)")
    }
}
