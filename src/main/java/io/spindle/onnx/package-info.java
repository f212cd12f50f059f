/**
 * ONNX export and import: a network maps to standard ONNX operators at opset
 * {@link io.spindle.onnx.Onnx#OPSET}, one small {@link io.spindle.onnx.LayerMapping} per layer
 * type, and the same operator set is read back into a Spindle model. The protobuf classes are
 * generated at build time from the pinned {@code src/main/proto/onnx.proto}.
 */
package io.spindle.onnx;
