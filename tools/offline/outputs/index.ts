// Loads every area's fake-output handlers into the shared mocks.
import "./aws";
import "./eks";
import "./pki";
import "./foundation";
import "./supply-chain";
