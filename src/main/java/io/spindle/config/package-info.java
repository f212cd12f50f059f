/**
 * Configuration files (HOCON: JSON with comments) to typed specs, strictly: unknown keys, wrong
 * types and impossible values fail with a one-line {@link io.spindle.config.SpindleConfigException}
 * naming the key path and line. Each section has its own class ({@link
 * io.spindle.config.NetworkConfig} for {@code data.input-shape} and {@code model}, {@link
 * io.spindle.config.TrainingConfig} for {@code training}); new sections follow the same pattern
 * with {@link io.spindle.config.ConfigSection}. Every key is documented in
 * docs/config-reference.md. Types and names come from fixed registries, never reflection.
 */
package io.spindle.config;
