// Pulumi entry point of the foundation project: the stack outputs are whatever the program returns.
import { foundationProgram } from "../stacks/foundation";

export = foundationProgram();
