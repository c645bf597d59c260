import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { ModelServingModule } from 'nest-model-serving';
import { IrisController } from './iris/iris.controller.js';
import { MODELS_DIR } from './models-dir.js';

@Module({
  imports: [
    ModelServingModule.forRoot({
      models: [
        { name: 'half_plus_two', basePath: join(MODELS_DIR, 'half_plus_two') },
        { name: 'mlp_onnx', basePath: join(MODELS_DIR, 'mlp_onnx') },
      ],
      grpc: { enabled: true },
    }),
  ],
  controllers: [IrisController],
})
export class AppModule {}
