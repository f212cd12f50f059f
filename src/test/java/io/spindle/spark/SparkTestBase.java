package io.spindle.spark;

import com.holdenkarau.spark.testing.SharedJavaSparkContext;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * spark-testing-base's shared context under JUnit 5: its JUnit 4 {@code @Before}/{@code
 * @AfterClass} hooks are ignored here, so they are called from the JUnit 5 ones.
 */
abstract class SparkTestBase extends SharedJavaSparkContext {

  @BeforeEach
  void startSpark() {
    runBefore();
  }

  @AfterAll
  static void stopSpark() {
    runAfterClass();
  }

  @Override
  public SparkConf conf() {
    return SparkConfs.withDefaults(super.conf().setMaster("local[2]"));
  }
}
