import Testing
@testable import tributary

/// The allocator setting made at start (`MallocTuning`), and the operator's way to override it.
@Suite struct MallocTuningTests {
    @Test("the pad is set unless MALLOC_TOP_PAD_ is in the environment: an operator's own setting wins")
    func operatorSettingWins() {
        #expect(MallocTuning.apply(environment: ["MALLOC_TOP_PAD_": "131072"]) == false)
        #expect(MallocTuning.apply(environment: ["PATH": "/usr/bin"]) == true)
    }
}
