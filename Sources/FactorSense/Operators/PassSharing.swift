/// An operator whose full gradient passes several trials run side by side can share
/// (`GradientDescent.runBatch`): each trial runs on its own view, and one pass over the
/// operator's data serves every trial still running. Each view gives bit for bit the values of
/// the operator itself; sharing changes how often the data is read, not what is computed.
protocol PassSharing: MeasurementOperator {
    /// The meeting point of `trials` trials.
    func sharedPass(trials: Int) -> any SharedPass
    /// What a shared pass of `trials` trials holds beside the trials' own runs.
    func sharedPassNeeds(trials: Int) throws(FactorSenseError) -> [MemoryBudget.Need]
}

/// The meeting point of the trials of a batch (`PassSharing.sharedPass(trials:)`).
protocol SharedPass: AnyObject, Sendable {
    /// The operator trial `trial` (0 ..< trials) runs on.
    func view(trial: Int) -> any MeasurementOperator
    /// A trial runs no more (or never started): the passes go on without it.
    func leave()
}
