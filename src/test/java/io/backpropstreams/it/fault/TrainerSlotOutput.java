package io.backpropstreams.it.fault;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The standard output of incarnation {@code n} of a {@link TrainerSlot}, read back from its file. */
final class TrainerSlotOutput {

    private TrainerSlotOutput() {
    }

    static String of(Path dir, String label, int incarnation) throws IOException {
        return Files.readString(dir.resolve(label + "-trainer-" + incarnation + ".out"));
    }
}
