package io.spindle.cluster.jobs;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Packs this package's compiled classes ({@link ClusterProbeJob} and its helpers) into a jar of
 * their own, to submit to a cluster like any user job. It holds no Spindle main code: that comes
 * from the application jar passed in {@code --jars}.
 */
public final class ProbeJobJar {

  private ProbeJobJar() {}

  public static Path build(Path jar) {
    try {
      Path classesRoot = Path.of(ClusterProbeJob.class.getProtectionDomain().getCodeSource()
          .getLocation().toURI());
      String packagePath = ClusterProbeJob.class.getPackageName().replace('.', '/');
      Path packageDir = classesRoot.resolve(packagePath);
      List<Path> classes;
      try (Stream<Path> files = Files.list(packageDir)) {
        classes = files.filter(file -> file.toString().endsWith(".class")).sorted().toList();
      }
      Manifest manifest = new Manifest();
      manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
      manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, ClusterProbeJob.class.getName());
      Files.createDirectories(jar.getParent());
      try (OutputStream out = Files.newOutputStream(jar);
          JarOutputStream jarOut = new JarOutputStream(out, manifest)) {
        for (Path file : classes) {
          jarOut.putNextEntry(new JarEntry(packagePath + "/" + file.getFileName()));
          Files.copy(file, jarOut);
          jarOut.closeEntry();
        }
      }
      return jar;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot build the probe job jar " + jar, e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
