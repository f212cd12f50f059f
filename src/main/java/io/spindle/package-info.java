/** Spindle: data-parallel neural-network training on Apache Spark. */
package io.spindle;
