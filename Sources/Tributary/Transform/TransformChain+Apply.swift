/// What the chain did to a batch's rows.
struct TransformOutcome {
    /// Rows that went through every step, in order.
    var selection: [Int] = []
    /// Rows a filter or a dedupe dropped.
    var filtered: [Int] = []
    /// Rows whose evaluation failed: the step and the reason.
    var failures: [(row: Int, location: String, message: String)] = []
}

extension TransformChain {
    /// Runs every step over `rows` (all of them, in order). `dedupe` holds one state per dedupe
    /// step; its additions stay staged until the batch commits.
    func apply(to rows: inout RowBuffer, context: ExpressionContext, dedupe: [DedupeState], batchTimeMicros: Int64) -> TransformOutcome {
        var outcome = TransformOutcome()
        outcome.selection = Array(0..<rows.count)
        guard !steps.isEmpty else { return outcome }
        let width = rows.width
        var scratch: [FieldValue] = []
        // Steps read and write the rows in place through one buffer pointer: no array slice
        // per row and step, so no reference counting of the row storage per record.
        rows.withStorage { storage in
            storage.withUnsafeMutableBufferPointer { values in
                for step in steps {
                    var kept: [Int] = []
                    kept.reserveCapacity(outcome.selection.count)
                    for row in outcome.selection {
                        let fields = UnsafeMutableBufferPointer(rebasing: values[(row * width)..<((row + 1) * width)])
                        do throws(ExpressionRuntimeError) {
                            if try run(step, fields, context: context, dedupe: dedupe, time: batchTimeMicros, scratch: &scratch) {
                                kept.append(row)
                            } else {
                                outcome.filtered.append(row)
                            }
                        } catch {
                            outcome.failures.append((row, step.location, error.message))
                        }
                    }
                    outcome.selection = kept
                }
            }
        }
        return outcome
    }

    /// Runs one step on one row's `fields`; false when the row is dropped.
    private func run(
        _ step: CompiledTransform, _ fields: UnsafeMutableBufferPointer<FieldValue>, context: ExpressionContext,
        dedupe: [DedupeState], time: Int64, scratch: inout [FieldValue]
    ) throws(ExpressionRuntimeError) -> Bool {
        let row = UnsafeBufferPointer(fields)
        switch step {
        case .filter(let expression, _):
            return try expression.evaluate(row, context) == .bool(true)
        case .set(let targets, _):
            // Compute every value from the incoming row before storing any.
            scratch.removeAll(keepingCapacity: true)
            for target in targets { scratch.append(try target.expression.evaluate(row, context)) }
            for (position, target) in targets.enumerated() { fields[target.index] = scratch[position] }
            return true
        case .defaults(let targets):
            for target in targets where fields[target.index] == .null {
                fields[target.index] = target.value
            }
            return true
        case .toJSON(let indexes):
            for index in indexes {
                let value = fields[index]
                if case .json = value { continue }
                if value == .null { continue }
                var buffer: [UInt8] = []
                JSONLineWriter.appendValue(value, to: &buffer)
                fields[index] = .json(String(decoding: buffer, as: UTF8.self))
            }
            return true
        case let .dedupe(keys, _, ordinal, _):
            return !dedupe[ordinal].isDuplicate(DedupeState.key(of: row, columns: keys), at: time)
        }
    }
}

extension CompiledTransform {
    /// The config location of the step, for dead letters.
    var location: String {
        switch self {
        case .filter(_, let location), .set(_, let location), .dedupe(_, _, _, let location): return location
        case .defaults: return "transform.default"
        case .toJSON: return "transform.cast"
        }
    }
}
