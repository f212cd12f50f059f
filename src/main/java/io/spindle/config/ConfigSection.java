package io.spindle.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A typed, strict view of one config object, e.g. {@code training} or {@code model.layers[3]}.
 * Every getter names the full key path in its errors, with the type expected, the value found
 * and the file and line it came from, so a user can fix a config from the message alone.
 * {@link #rejectUnknown} turns typos into errors instead of silently ignored settings.
 *
 * <p>Numbers may also be written as strings ({@code "6"}), as the typesafe library allows, so
 * that command-line overrides work either way. A key set to {@code null} counts as absent.
 */
public final class ConfigSection {

  private static final int MAX_SHOWN = 60;

  private final String path;
  private final ConfigObject object;

  private ConfigSection(String path, ConfigObject object) {
    this.path = path;
    this.object = object;
  }

  /** The whole config; substitutions such as {@code ${x}} are resolved first. */
  public static ConfigSection root(Config config) {
    try {
      return new ConfigSection("", config.resolve().root());
    } catch (com.typesafe.config.ConfigException e) {
      throw SpindleConfigException.of(e);
    }
  }

  /** The display path of this section, e.g. {@code model.layers[3]}; empty for the root. */
  public String path() {
    return path;
  }

  /** The display path of a key in this section. */
  public String keyPath(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  public boolean has(String key) {
    ConfigValue v = object.get(key);
    return v != null && v.valueType() != ConfigValueType.NULL;
  }

  /** The keys present (null-valued ones included, so they can be reported as unknown too). */
  public Set<String> keys() {
    return new TreeSet<>(object.keySet());
  }

  /** The raw value, or null when absent. */
  public ConfigValue value(String key) {
    return has(key) ? object.get(key) : null;
  }

  /**
   * Fails on the first key (in alphabetical order) not in {@code valid}, listing the valid ones
   * and suggesting the closest. {@code what} completes "unknown key for ...", e.g.
   * {@code "a dense layer"}.
   */
  public void rejectUnknown(Collection<String> valid, String what) {
    for (String key : keys()) {
      if (!valid.contains(key)) {
        String hint = Suggest.closest(key, valid).map(s -> "did you mean " + s + "? ").orElse("");
        throw error(key, object.get(key), "unknown key for " + what + "; " + hint
            + "valid keys: " + String.join(", ", valid));
      }
    }
  }

  // ---- objects and lists ----

  /** A required nested object. */
  public ConfigSection section(String key) {
    ConfigValue v = require(key, "an object { ... }");
    return asSection(keyPath(key), v, "an object { ... }");
  }

  /** A nested object, or an empty one when absent. */
  public ConfigSection optionalSection(String key) {
    if (!has(key)) {
      return new ConfigSection(keyPath(key), com.typesafe.config.ConfigFactory.empty().root());
    }
    return section(key);
  }

  /** A required list whose elements are all objects, each as a section {@code key[i]}. */
  public List<ConfigSection> objectList(String key, String example) {
    ConfigValue v = require(key, "a list of objects like " + example);
    if (v.valueType() != ConfigValueType.LIST) {
      throw wrongType(key, v, "a list of objects like " + example);
    }
    List<ConfigSection> items = new ArrayList<>();
    ConfigList list = (ConfigList) v;
    for (int i = 0; i < list.size(); i++) {
      items.add(asSection(keyPath(key) + "[" + i + "]", list.get(i), "an object like " + example));
    }
    return items;
  }

  private static ConfigSection asSection(String path, ConfigValue v, String expected) {
    if (v.valueType() != ConfigValueType.OBJECT) {
      throw new SpindleConfigException(path, path + where(v) + ": expected " + expected + ", got "
          + describe(v));
    }
    return new ConfigSection(path, (ConfigObject) v);
  }

  // ---- strings ----

  public String string(String key) {
    return asString(key, require(key, "a string"));
  }

  public String string(String key, String defaultValue) {
    return has(key) ? string(key) : defaultValue;
  }

  /** A required string from a fixed set of choices. */
  public String choice(String key, Collection<String> choices, String what) {
    return checkChoice(key, string(key), choices, what);
  }

  public String choice(String key, String defaultValue, Collection<String> choices, String what) {
    return has(key) ? choice(key, choices, what) : defaultValue;
  }

  private String checkChoice(String key, String s, Collection<String> choices, String what) {
    if (!choices.contains(s)) {
      String hint = Suggest.closest(s, choices).map(c -> "did you mean " + c + "? ").orElse("");
      throw error(key, object.get(key), "unknown " + what + " '" + s + "'; " + hint + "valid: "
          + String.join(", ", choices));
    }
    return s;
  }

  private String asString(String key, ConfigValue v) {
    ConfigValueType t = v.valueType();
    if (t == ConfigValueType.STRING || t == ConfigValueType.NUMBER || t == ConfigValueType.BOOLEAN) {
      return String.valueOf(v.unwrapped());
    }
    throw wrongType(key, v, "a string");
  }

  /** A required list of strings; a single string is a list of one. */
  public List<String> stringList(String key) {
    ConfigValue v = require(key, "a list of strings");
    if (v.valueType() != ConfigValueType.LIST) {
      return List.of(asString(key, v));
    }
    List<String> out = new ArrayList<>();
    for (ConfigValue e : (ConfigList) v) {
      if (e.valueType() != ConfigValueType.STRING && e.valueType() != ConfigValueType.NUMBER) {
        throw error(key, v, "expected a list of strings, got " + render(v));
      }
      out.add(String.valueOf(e.unwrapped()));
    }
    return out;
  }

  // ---- booleans ----

  /** A required boolean ({@code true}/{@code false}, also as strings from --set). */
  public boolean bool(String key) {
    ConfigValue v = require(key, "true or false");
    Object raw = v.unwrapped();
    if (raw instanceof Boolean b) {
      return b;
    }
    if ("true".equals(raw) || "false".equals(raw)) {
      return Boolean.parseBoolean((String) raw);
    }
    throw wrongType(key, v, "true or false");
  }

  // ---- numbers ----

  /** A required integer of at least {@code min}. */
  public int intAtLeast(String key, int min) {
    ConfigValue v = require(key, expectedInt(min));
    return checkedInt(key, v, min);
  }

  public int intAtLeast(String key, int min, int defaultValue) {
    return has(key) ? intAtLeast(key, min) : defaultValue;
  }

  public long longAtLeast(String key, long min) {
    ConfigValue v = require(key, expectedInt(min));
    long x = integral(key, v, expectedInt(min));
    if (x < min) {
      throw error(key, v, "must be " + expectedInt(min) + ", got " + x);
    }
    return x;
  }

  public long longAtLeast(String key, long min, long defaultValue) {
    return has(key) ? longAtLeast(key, min) : defaultValue;
  }

  /**
   * A number in a range; {@code range} is written as in the message, e.g. {@code "in [0, 1)"}
   * or {@code "positive"}, and checked by {@code test}.
   */
  public double number(String key, String range, java.util.function.DoublePredicate test) {
    ConfigValue v = require(key, "a number " + range);
    double x = numeric(key, v, "a number " + range);
    if (!Double.isFinite(x) || !test.test(x)) {
      throw error(key, v, "must be a number " + range + ", got " + render(v));
    }
    return x;
  }

  public double number(String key, String range, java.util.function.DoublePredicate test,
      double defaultValue) {
    return has(key) ? number(key, range, test) : defaultValue;
  }

  /**
   * A required size written as one integer (square) or {@code [h, w]}, each at least
   * {@code min}; returns {h, w}.
   */
  public int[] intPair(String key, int min) {
    ConfigValue v = require(key, expectedPair(min));
    if (v.valueType() == ConfigValueType.LIST) {
      ConfigList list = (ConfigList) v;
      if (list.size() != 2) {
        throw error(key, v, "expected " + expectedPair(min) + ", got a list of " + list.size());
      }
      int h = pairElement(key, v, list.get(0), min);
      int w = pairElement(key, v, list.get(1), min);
      return new int[] {h, w};
    }
    int x = checkedInt(key, v, min, expectedPair(min));
    return new int[] {x, x};
  }

  public int[] intPair(String key, int min, int[] defaultValue) {
    return has(key) ? intPair(key, min) : defaultValue;
  }

  /** A required list of integers, each at least {@code min}; a single integer is a list of one. */
  public int[] intList(String key, int min) {
    String expected = "a list of integers, each " + boundText(min);
    ConfigValue v = require(key, expected);
    if (v.valueType() != ConfigValueType.LIST) {
      return new int[] {checkedInt(key, v, min, expected)};
    }
    ConfigList list = (ConfigList) v;
    int[] out = new int[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = pairElement(key, v, list.get(i), min);
    }
    return out;
  }

  private int pairElement(String key, ConfigValue whole, ConfigValue element, int min) {
    if (element.valueType() != ConfigValueType.NUMBER && element.valueType() != ConfigValueType.STRING) {
      throw error(key, whole, "expected integers " + boundText(min) + ", got " + render(whole));
    }
    long x = integral(key, element, "integers " + boundText(min));
    if (x < min || x > Integer.MAX_VALUE) {
      throw error(key, whole, "expected integers " + boundText(min) + ", got " + render(whole));
    }
    return (int) x;
  }

  private int checkedInt(String key, ConfigValue v, int min) {
    return checkedInt(key, v, min, expectedInt(min));
  }

  private int checkedInt(String key, ConfigValue v, int min, String expected) {
    long x = integral(key, v, expected);
    if (x < min || x > Integer.MAX_VALUE) {
      throw error(key, v, "must be " + expected + ", got " + render(v));
    }
    return (int) x;
  }

  private long integral(String key, ConfigValue v, String expected) {
    double x = numeric(key, v, expected);
    if (x != Math.rint(x) || Math.abs(x) > 9.0e15) {
      throw error(key, v, "expected " + expected + ", got " + render(v));
    }
    return (long) x;
  }

  private double numeric(String key, ConfigValue v, String expected) {
    if (v.valueType() == ConfigValueType.NUMBER) {
      return ((Number) v.unwrapped()).doubleValue();
    }
    if (v.valueType() == ConfigValueType.STRING) {
      try {
        return Double.parseDouble(((String) v.unwrapped()).trim());
      } catch (NumberFormatException e) {
        // fall through to the type error
      }
    }
    throw wrongType(key, v, expected);
  }

  private static String expectedInt(long min) {
    return "an integer " + boundText(min);
  }

  private static String expectedPair(int min) {
    return "an integer " + boundText(min) + " or a pair [h, w]";
  }

  private static String boundText(long min) {
    return min == 1 ? ">= 1" : min == 0 ? ">= 0" : ">= " + min;
  }

  // ---- errors ----

  private ConfigValue require(String key, String expected) {
    if (!has(key)) {
      String section = path.isEmpty() ? "the config" : path + where(object);
      throw new SpindleConfigException(keyPath(key), keyPath(key) + " is missing: " + section
          + " needs it, as " + expected);
    }
    return object.get(key);
  }

  private SpindleConfigException wrongType(String key, ConfigValue v, String expected) {
    return error(key, v, "expected " + expected + ", got " + describe(v));
  }

  /** An error about {@code key} of this section, located at {@code v} when known. */
  public SpindleConfigException error(String key, ConfigValue v, String problem) {
    return new SpindleConfigException(keyPath(key), keyPath(key) + (v == null ? "" : where(v))
        + ": " + SpindleConfigException.oneLine(problem));
  }

  /** An error about this whole section. */
  public SpindleConfigException error(String problem, Throwable cause) {
    return new SpindleConfigException(path, path + where(object) + ": "
        + SpindleConfigException.oneLine(problem), cause);
  }

  /**
   * Where a value was written: " (lenet5.conf:12)" for files, " (--set training.x)" for
   * overrides, "" when unknown or merged from several places.
   */
  static String where(ConfigValue v) {
    ConfigOrigin o = v.origin();
    String d = o == null ? null : o.description();
    if (d == null || d.startsWith("merge of") || d.contains("hardcoded value")) {
      return "";
    }
    String file = o.filename() != null ? o.filename() : o.resource();
    if (file != null && o.lineNumber() >= 0) {
      return " (" + new java.io.File(file).getName() + ":" + o.lineNumber() + ")";
    }
    if (d.startsWith("String") && o.lineNumber() >= 0) {
      return " (line " + o.lineNumber() + ")";
    }
    return " (" + d + ")";
  }

  private static String describe(ConfigValue v) {
    String kind = switch (v.valueType()) {
      case OBJECT -> "an object";
      case LIST -> "a list";
      case NUMBER -> "the number";
      case BOOLEAN -> "the boolean";
      case NULL -> "null";
      case STRING -> "the string";
    };
    return v.valueType() == ConfigValueType.NULL ? kind : kind + " " + render(v);
  }

  static String render(ConfigValue v) {
    String s = v.render(ConfigRenderOptions.concise());
    return s.length() <= MAX_SHOWN ? s : s.substring(0, MAX_SHOWN) + "...";
  }
}
