// swift-tools-version:6.1
import PackageDescription

/// FactorSense: a Swift core (`FactorSense`), its C exports (`FactorSenseC`) over the hand-written
/// header `include/factorsense.h` (`CFactorSense`), the dense row kernels (`CDenseKernels`),
/// OpenBLAS/LAPACK (`CBLAS`) and the exit gate of its calls (`CExitGate`), built into one
/// dynamic library, `libfactorsense.so`.
let package = Package(
    name: "FactorSense",
    products: [
        .library(name: "factorsense", type: .dynamic, targets: ["FactorSenseC"]),
        .library(name: "FactorSense", targets: ["FactorSense"]),
        .executable(name: "recover-swift", targets: ["RecoverExample"]),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS",
            path: "Sources/CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        .systemLibrary(name: "CFactorSense", path: "Sources/CFactorSense"),
        // The dense operators' row kernels, in C for one fixed-order source compiled for
        // AVX-512, AVX2 and the baseline (target_clones).
        .target(name: "CDenseKernels", exclude: ["mutants.txt"]),
        // Keeps every thread out of OpenBLAS while the process's exit tears it down.
        .target(name: "CExitGate"),
        .target(
            name: "FactorSense",
            dependencies: ["CBLAS", "CDenseKernels", "CExitGate"],
            // The mutation check's lists (scripts/mutants.py) live beside the code they mutate.
            exclude: ["Diagnostics/mutants.txt", "Linear/mutants.txt", "Operators/mutants.txt",
                      "Problems/mutants.txt", "Random/mutants.txt", "Solvers/mutants.txt", "Flow/mutants.txt"]
        ),
        .target(name: "FactorSenseC", dependencies: ["FactorSense", "CFactorSense"]),
        .executableTarget(
            name: "RecoverExample",
            dependencies: ["FactorSense"],
            path: "examples/swift/Recover"
        ),
        .testTarget(name: "FactorSenseTests", dependencies: ["FactorSense"]),
        .testTarget(name: "FactorSenseCTests", dependencies: ["FactorSenseC", "CFactorSense"]),
    ]
)
