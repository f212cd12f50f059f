package io.spindle.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Loads a job configuration: the user's HOCON file, then {@code --set key=value} overrides, on
 * top of the shipped defaults ({@code io/spindle/defaults.conf}). Every key must exist in the
 * defaults, so a typo fails fast with the key's name instead of being silently ignored.
 */
public final class ConfigLoader {

  private static final String DEFAULTS = "io/spindle/defaults.conf";

  private ConfigLoader() {}

  /** The defaults alone. */
  public static Config defaults() {
    return ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(), DEFAULTS,
        ConfigParseOptions.defaults().setAllowMissing(false));
  }

  /**
   * Loads {@code file} (may be null: defaults only) with overrides, resolved and validated.
   *
   * @param overrides {@code key=value} strings, applied in order
   * @throws SpindleConfigException naming the file, key or value at fault
   */
  public static Config load(Path file, List<String> overrides) {
    Config user = ConfigFactory.empty();
    if (file != null) {
      if (!Files.isRegularFile(file)) {
        throw new SpindleConfigException("config file " + file + " does not exist; "
            + "pass an existing file to --config (e.g. conf/lenet5-mnist.conf)");
      }
      try {
        user = ConfigFactory.parseFile(file.toFile(),
            ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false));
      } catch (ConfigException e) {
        throw new SpindleConfigException("cannot parse config " + file + ": " + e.getMessage());
      }
    }
    return load(user, overrides);
  }

  /**
   * As {@link #load(Path, List)} for a config already in memory (e.g. the one a saved model was
   * trained with): overrides on top of it, then the defaults underneath.
   */
  public static Config load(Config base, List<String> overrides) {
    Config user = base;
    for (String override : overrides) {
      user = parseOverride(override).withFallback(user);
    }
    Config resolved;
    try {
      resolved = user.withFallback(defaults()).resolve(ConfigResolveOptions.defaults());
    } catch (ConfigException e) {
      throw new SpindleConfigException("cannot resolve config: " + e.getMessage());
    }
    // The user's own keys, with substitutions taken from the merged config: iterating an
    // unresolved config throws (found by ConfigFuzzTest, e.g. a key set to ${data.input-shape}).
    Config userKeys;
    try {
      userKeys = user.resolveWith(resolved, ConfigResolveOptions.defaults());
    } catch (ConfigException e) {
      throw SpindleConfigException.of(e);
    }
    rejectUnknownKeys(userKeys, defaults());
    return resolved;
  }

  /** One {@code key=value} override; the value is HOCON (numbers, lists) or else a plain string. */
  static Config parseOverride(String override) {
    int eq = override.indexOf('=');
    if (eq <= 0) {
      throw new SpindleConfigException("--set needs key=value, got '" + override + "'");
    }
    String key = override.substring(0, eq).trim();
    String raw = override.substring(eq + 1).trim();
    ConfigValue value;
    try {
      // "//" would start a HOCON comment (hdfs://, s3a://...): such values are strings.
      value = raw.contains("//") || raw.isEmpty()
          ? ConfigValueFactory.fromAnyRef(raw)
          : ConfigFactory.parseString("v = " + raw).getValue("v");
    } catch (ConfigException e) {
      value = ConfigValueFactory.fromAnyRef(raw);
    }
    try {
      return ConfigFactory.empty().withValue(key, value.withOrigin(
          com.typesafe.config.ConfigOriginFactory.newSimple("--set " + key)));
    } catch (ConfigException e) {
      throw new SpindleConfigException("--set: '" + key + "' is not a valid config key");
    }
  }

  private static void rejectUnknownKeys(Config user, Config defaults) {
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<String, ConfigValue> e : user.entrySet()) {
      // Keys are path expressions: split them as such, since a quoted element may hold dots
      // or quotes ("model.layers" = ... is one key, not model.layers).
      String key = e.getKey();
      List<String> path = ConfigUtil.splitPath(key);
      // model.layers entries are checked by the network parser, key by key.
      boolean layers = path.size() >= 2 && path.get(0).equals("model") && path.get(1).equals("layers");
      if (!defaults.hasPathOrNull(key) && !layers) {
        unknown.add(key);
      }
    }
    if (!unknown.isEmpty()) {
      String key = new TreeSet<>(unknown).first();
      String section = ConfigUtil.joinPath(ConfigUtil.splitPath(key).get(0));
      TreeSet<String> valid = new TreeSet<>();
      if (defaults.hasPath(section) && defaults.getValue(section) instanceof com.typesafe.config.ConfigObject) {
        for (Map.Entry<String, ConfigValue> d : defaults.getConfig(section).entrySet()) {
          valid.add(section + "." + d.getKey());
        }
      }
      TreeSet<String> everyKey = new TreeSet<>();
      defaults.entrySet().forEach(d -> everyKey.add(d.getKey()));
      String hint = Suggest.closest(key, everyKey).map(s -> "; did you mean " + s + "?")
          .orElse("");
      throw new SpindleConfigException("unknown config key '" + key + "'"
          + origin(user.getValue(key)) + hint + (valid.isEmpty()
              ? "; valid sections are data, model, training, spark, checkpoint"
              : "; valid keys in '" + section + "': " + String.join(", ", valid)));
    }
  }

  static String origin(ConfigValue v) {
    if (v.origin() == null) {
      return "";
    }
    String desc = v.origin().filename() != null
        ? new File(v.origin().filename()).getName() + ":" + v.origin().lineNumber()
        : v.origin().description();
    return desc == null ? "" : " (" + desc + ")";
  }
}
