// Constructs Pulumi's awsguard pack with every rule enabled (advisory), for the benchmark's peer row.
const { AwsGuard } = require("@pulumi/awsguard");

exports.policyPack = { name: "pulumi-awsguard" };
new AwsGuard({ all: "advisory" });
