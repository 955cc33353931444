// Loads the SDKs the platform program loads, and registers nothing.
import "@pulumi/pulumi";
import "@pulumi/aws";
import "@pulumi/kubernetes";
import "@pulumi/eks";

export {};
