// swift-tools-version:6.2
// SPDX-License-Identifier: BSD-3-Clause
import PackageDescription

/// FactorSense: a Swift core (`FactorSense`), its C exports (`FactorSenseC`) over the hand-written
/// header `include/factorsense.h` (`CFactorSense`), the dense row kernels (`CDenseKernels`),
/// OpenBLAS/LAPACK (`CBLAS`) and the exit gate of its calls (`CExitGate`), built into one
/// dynamic library: the product `factorsense-c`, whose file `libfactorsense-c.so` `make build`
/// links as `libfactorsense.so`, the C ABI's name. (Its name differs from the Swift product
/// `FactorSense` in more than case, so that no file system or tool can mistake one for the other.)
///
/// Every Swift target builds in the Swift 6 language mode (the tools version's default), whose
/// concurrency checking is complete, and with every warning an error (`strict`): for this package
/// only — a package that depends on it builds it with its warnings silenced, as SwiftPM does for
/// every dependency.
let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]

let package = Package(
    name: "FactorSense",
    products: [
        .library(name: "factorsense-c", type: .dynamic, targets: ["FactorSenseC"]),
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
                      "Problems/mutants.txt", "Random/mutants.txt", "Solvers/mutants.txt", "Flow/mutants.txt"],
            swiftSettings: strict
        ),
        .target(name: "FactorSenseC", dependencies: ["FactorSense", "CFactorSense"], swiftSettings: strict),
        .executableTarget(
            name: "RecoverExample",
            dependencies: ["FactorSense"],
            path: "examples/swift/Recover",
            swiftSettings: strict
        ),
        .testTarget(name: "FactorSenseTests", dependencies: ["FactorSense"], swiftSettings: strict),
        .testTarget(name: "FactorSenseCTests", dependencies: ["FactorSenseC", "CFactorSense"], swiftSettings: strict),
    ]
)
