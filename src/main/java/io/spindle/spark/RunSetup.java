package io.spindle.spark;

import io.spindle.data.BatchSchedule;
import io.spindle.nn.NetworkSpec;
import java.io.Serializable;

/**
 * What every task of one training run needs besides the weights: broadcast once per run, so
 * the network spec and schedule are not serialized into every job's closure.
 */
record RunSetup(String runId, NetworkSpec spec, BatchSchedule schedule, boolean shuffle,
    long seed) implements Serializable {}
