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
        // Steps read and write the rows in place through one buffer pointer: no array slice
        // per row and step, so no reference counting of the row storage per record. Each
        // step's payload is bound once per chunk, not per row: binding it copies its compiled
        // closures, and that retain and release, done per row on every core at once, made
        // the cores fight over the closures' reference counts.
        rows.withStorage { storage in
            storage.withUnsafeMutableBufferPointer { values in
                for step in steps {
                    var kept: [Int] = []
                    kept.reserveCapacity(outcome.selection.count)
                    let location = step.location
                    func eachRow(_ body: (UnsafeMutableBufferPointer<FieldValue>) throws(ExpressionRuntimeError) -> Bool) {
                        for row in outcome.selection {
                            let fields = UnsafeMutableBufferPointer(rebasing: values[(row * width)..<((row + 1) * width)])
                            do throws(ExpressionRuntimeError) {
                                if try body(fields) {
                                    kept.append(row)
                                } else {
                                    outcome.filtered.append(row)
                                }
                            } catch {
                                outcome.failures.append((row, location, error.message))
                            }
                        }
                    }
                    switch step {
                    case .filter(let expression, _):
                        eachRow { fields throws(ExpressionRuntimeError) in
                            // A pattern, not `==`: equality of two FieldValues switches over both.
                            if case .bool(true) = try expression.evaluate(UnsafeBufferPointer(fields), context) { return true }
                            return false
                        }
                    case .set(let targets, _):
                        let indexes = targets.indexes
                        let computed = UnsafeMutablePointer<FieldValue>.allocate(capacity: indexes.count)
                        defer { computed.deallocate() }
                        eachRow { fields throws(ExpressionRuntimeError) in
                            // Compute every value from the incoming row before storing any.
                            try targets.evaluate(UnsafeBufferPointer(fields), context, into: computed)
                            for position in indexes.indices { fields[indexes[position]] = (computed + position).move() }
                            return true
                        }
                    case .defaults(let targets):
                        eachRow { fields in
                            for target in targets where fields[target.index] == .null {
                                fields[target.index] = target.value
                            }
                            return true
                        }
                    case .toJSON(let indexes):
                        // One buffer for the chunk, emptied per value, not one per value.
                        var buffer: [UInt8] = []
                        eachRow { fields in
                            for index in indexes {
                                let value = fields[index]
                                if case .json = value { continue }
                                if value == .null { continue }
                                buffer.removeAll(keepingCapacity: true)
                                JSONLineWriter.appendValue(value, to: &buffer)
                                fields[index] = .json(String(decoding: buffer, as: UTF8.self))
                            }
                            return true
                        }
                    case let .dedupe(keys, _, ordinal, _):
                        let state = dedupe[ordinal]
                        eachRow { fields in
                            !state.isDuplicate(DedupeState.key(of: UnsafeBufferPointer(fields), columns: keys), at: batchTimeMicros)
                        }
                    }
                    outcome.selection = kept
                }
            }
        }
        return outcome
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
