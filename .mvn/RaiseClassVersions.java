// java -cp asm.jar RaiseClassVersions.java JAR: rewrites, in place, every class of JAR whose class
// file version is older than Java 6 (50) as a Java 8 (52) class with stack map frames computed by
// ASM; every other entry is copied as it is. The build runs it on both shaded jars right after
// maven-shade-plugin (the root pom's "class-versions" execution).
//
// Why: picocli's jar is compiled for Java 5 (version 49), and JDK 17's CDS refuses every class
// older than version 50 ("Pre JDK 6 class not supported by CDS: 49.0 picocli/..."), so the AppCDS
// archives of soil-scripts/soil-java never held picocli's classes: each start loaded them from
// the jar and verified them with the old inferring verifier (docs/BENCHMARKS.md, "Worker
// start-up"). Raised to 52 they are archived like the rest. The code is unchanged: ASM reads and
// writes the same instructions, adding only the frames (and recomputing max stack and locals).

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

public final class RaiseClassVersions {
  private static final int JAVA_6 = 50;

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: RaiseClassVersions JAR");
    }
    Path jar = Path.of(args[0]);
    Path raised = jar.resolveSibling(jar.getFileName() + ".raised");
    int count = 0;
    // Frames need the common superclass of two types, so the jar's classes must be loadable.
    try (ZipFile in = new ZipFile(jar.toFile());
        URLClassLoader classes =
            new URLClassLoader(
                new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(raised))) {
      for (ZipEntry entry : Collections.list(in.entries())) {
        byte[] bytes = in.getInputStream(entry).readAllBytes();
        if (entry.getName().endsWith(".class") && version(bytes) < JAVA_6) {
          bytes = toJava8(bytes, classes);
          count++;
        }
        ZipEntry copy = new ZipEntry(entry.getName());
        copy.setTime(entry.getTime());
        out.putNextEntry(copy);
        out.write(bytes);
        out.closeEntry();
      }
    }
    Files.move(raised, jar, StandardCopyOption.REPLACE_EXISTING);
    System.out.println(jar + ": " + count + " classes older than Java 6 raised to Java 8");
  }

  private static int version(byte[] classFile) {
    return (classFile[6] & 0xff) << 8 | (classFile[7] & 0xff);
  }

  private static byte[] toJava8(byte[] classFile, ClassLoader classes) {
    ClassWriter writer =
        new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
          @Override
          protected ClassLoader getClassLoader() {
            return classes;
          }
        };
    ClassVisitor raise =
        new ClassVisitor(Opcodes.ASM9, writer) {
          @Override
          public void visit(
              int version,
              int access,
              String name,
              String signature,
              String superName,
              String[] interfaces) {
            super.visit(Opcodes.V1_8, access, name, signature, superName, interfaces);
          }
        };
    new ClassReader(classFile).accept(raise, ClassReader.SKIP_FRAMES);
    return writer.toByteArray();
  }
}
