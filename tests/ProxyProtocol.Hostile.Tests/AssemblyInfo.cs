// The load tests measure latency, timing of closes and managed memory of the whole process: another test
// running beside them would be measured too. They run one at a time (test projects still run side by side).
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
