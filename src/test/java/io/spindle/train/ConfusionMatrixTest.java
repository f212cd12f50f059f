package io.spindle.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfusionMatrixTest {

  @TempDir
  Path dir;

  /** (true, predicted, times): class 0 -> 5 right, 2 as 1; class 1 -> 3 right; class 2 -> 1 as 0, 4 right. */
  private static final int[][] PAIRS = {{0, 0, 5}, {0, 1, 2}, {1, 1, 3}, {2, 0, 1}, {2, 2, 4}};

  private static ConfusionMatrix sample() {
    ConfusionMatrix m = new ConfusionMatrix(3);
    for (int[] p : PAIRS) {
      for (int i = 0; i < p[2]; i++) {
        m.add(p[0], p[1]);
      }
    }
    return m;
  }

  @Test
  void countsAndRatiosFollowTheirDefinitions() {
    ConfusionMatrix m = sample();
    assertEquals(15, m.total());
    assertEquals(12, m.correct());
    assertEquals(12.0 / 15, m.accuracy());
    assertEquals(2, m.count(0, 1));
    assertEquals(0, m.count(1, 0));
    assertEquals(7, m.support(0));
    assertEquals(6, m.predicted(0));
    assertEquals(5.0 / 6, m.precision(0));
    assertEquals(5.0 / 7, m.recall(0));
    assertEquals(3.0 / 5, m.precision(1));
    assertEquals(1.0, m.recall(1));
    assertEquals(1.0, m.precision(2));
    assertEquals(4.0 / 5, m.recall(2));
    double p = 5.0 / 6;
    double r = 5.0 / 7;
    assertEquals(2 * p * r / (p + r), m.f1(0), 1e-15);
  }

  @Test
  void undefinedRatiosAreNaN() {
    ConfusionMatrix m = new ConfusionMatrix(3);
    assertTrue(Double.isNaN(m.accuracy()));
    m.add(0, 1);
    assertTrue(Double.isNaN(m.recall(2)), "no examples of class 2");
    assertTrue(Double.isNaN(m.precision(0)), "nothing predicted as 0");
    assertEquals(0.0, m.precision(1));
    assertEquals(0.0, m.recall(0));
  }

  @Test
  void mergingPartsEqualsCountingEverythingInOne() {
    ConfusionMatrix a = new ConfusionMatrix(3);
    ConfusionMatrix b = new ConfusionMatrix(3);
    for (int k = 0; k < PAIRS.length; k++) {
      (k % 2 == 0 ? a : b).add(PAIRS[k][0], PAIRS[k][1], PAIRS[k][2]);
    }
    assertEquals(sample(), a.merge(b));
    assertThrows(IllegalArgumentException.class, () -> a.merge(new ConfusionMatrix(4)));
  }

  @Test
  void outOfRangeClassesAreRefused() {
    ConfusionMatrix m = new ConfusionMatrix(3);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.add(3, 0));
    assertTrue(e.getMessage().contains("outside [0, 3)"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> m.add(0, -1));
    assertThrows(IllegalArgumentException.class, () -> new ConfusionMatrix(0));
  }

  @Test
  void csvHasLabelledRowsAndColumns() throws IOException {
    String expected = "true\\predicted,0,1,2\n"
        + "0,5,2,0\n"
        + "1,0,3,0\n"
        + "2,1,0,4\n";
    assertEquals(expected, sample().toCsv());
    Path file = dir.resolve("confusion-matrix.csv");
    sample().writeCsv(file);
    assertEquals(expected, Files.readString(file));

    ConfusionMatrix named = new ConfusionMatrix(List.of("cat", "dog, big", "say \"hi\""));
    named.add(1, 2);
    assertEquals("true\\predicted,cat,\"dog, big\",\"say \"\"hi\"\"\"\n"
        + "cat,0,0,0\n"
        + "\"dog, big\",0,0,1\n"
        + "\"say \"\"hi\"\"\",0,0,0\n", named.toCsv());
  }

  @Test
  void perClassCsvWritesEveryClassAtFullPrecision() {
    String[] lines = sample().perClassCsv().split("\n");
    assertEquals("class,support,predicted,correct,precision,recall,f1", lines[0]);
    assertEquals(4, lines.length);
    String[] zero = lines[1].split(",");
    assertEquals("0", zero[0]);
    assertEquals(7, Long.parseLong(zero[1]));
    assertEquals(6, Long.parseLong(zero[2]));
    assertEquals(5, Long.parseLong(zero[3]));
    assertEquals(5.0 / 6, Double.parseDouble(zero[4]));
    assertEquals(5.0 / 7, Double.parseDouble(zero[5]));
    ConfusionMatrix empty = new ConfusionMatrix(2);
    assertEquals("0,0,0,0,NaN,NaN,NaN", empty.perClassCsv().split("\n")[1]);
  }
}
