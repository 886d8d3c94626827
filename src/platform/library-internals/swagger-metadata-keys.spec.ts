import { ApiOperation, ApiProperty } from '@nestjs/swagger';
import { SWAGGER_MODEL_PROPERTIES, SWAGGER_MODEL_PROPERTIES_ARRAY, SWAGGER_OPERATION } from './swagger-metadata-keys';

class Documented {
  @ApiProperty({ example: 'Ada', nullable: true })
  readonly name!: string;

  @ApiOperation({ summary: 'Does something', operationId: 'doSomething' })
  doSomething(): void {}
}

/** Fails when @nestjs/swagger records its decorators' options under other keys. */
describe('@nestjs/swagger metadata keys', () => {
  it("finds @ApiProperty's options and the documented property names under the keys plugin-metadata.ts reads", () => {
    expect(Reflect.getOwnMetadata(SWAGGER_MODEL_PROPERTIES, Documented.prototype, 'name')).toEqual(
      expect.objectContaining({ example: 'Ada', nullable: true, type: String }),
    );
    expect(Reflect.getOwnMetadata(SWAGGER_MODEL_PROPERTIES_ARRAY, Documented.prototype)).toEqual([':name']);
  });

  it("finds @ApiOperation's operation id under the key the audit log reads", () => {
    expect(Reflect.getMetadata(SWAGGER_OPERATION, Documented.prototype.doSomething)).toEqual(
      expect.objectContaining({ operationId: 'doSomething' }),
    );
  });
});
