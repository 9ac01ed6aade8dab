import Testing
@testable import FactorSense

/// The buffers an out-of-memory message names (`MemoryBudget.describe`): one item per name with
/// its multiplicity, the largest kinds only, the rest summed.
@Suite struct MemoryMessageTests {
    @Test func buffersOfOneNameAreOneItem() {
        let needs = (0..<16).map { _ in MemoryBudget.Need("the residual (m)", bytes: 7200) } + [MemoryBudget.Need("x", bytes: 8)]
        #expect(MemoryBudget.describe(needs) == "16 × the residual (m) 7200 bytes each, x 8 bytes")
    }

    @Test func onlyTheLargestKindsAreNamed() {
        let kinds = MemoryBudget.namedKinds + 3
        let needs = (1...kinds).map { MemoryBudget.Need("buffer \($0)", bytes: 10 * $0) } + [MemoryBudget.Need("empty", bytes: 0)]
        let text = MemoryBudget.describe(needs)
        #expect(!text.contains("buffer 3 ") && !text.contains("empty"))
        #expect(text.hasPrefix("buffer 4 40 bytes, buffer 5 50 bytes"))
        #expect(text.hasSuffix("3 smaller buffers 60 bytes in all"))
    }

    @Test func anOverflowingTotalIsStillDescribed() {
        let needs = [MemoryBudget.Need("a", bytes: Int.max), MemoryBudget.Need("a", bytes: Int.max)]
        #expect(MemoryBudget.describe(needs).hasPrefix("2 × a "))
    }
}
